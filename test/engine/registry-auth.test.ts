// Registry credentials found where the docker CLI finds them (docker/cli cli/config/configfile/file.go
// GetAuthConfig: credHelpers entry, else credsStore, else `auths`), in memory only.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { registryCredentials } from '../../src/engine/registry-auth.js';
import { registryOf, repositoryOf } from '../../src/model/image-ref.js';

function configDir(config: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'docker-config-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

describe('registry credentials from the docker config', () => {
  test('an auths entry (base64 user:password) under any spelling of the registry', () => {
    const dir = configDir({ auths: { 'http://10.200.1.1:5000/v2/': { auth: Buffer.from('alice:s3cr:et').toString('base64') }, 'https://index.docker.io/v1/': { auth: Buffer.from('bob:pw').toString('base64') } } });
    expect(registryCredentials('10.200.1.1:5000', { DOCKER_CONFIG: dir })).toEqual({ auth: { username: 'alice', password: 's3cr:et', serveraddress: '10.200.1.1:5000' } });
    expect(registryCredentials('docker.io', { DOCKER_CONFIG: dir }).auth).toMatchObject({ username: 'bob', serveraddress: 'https://index.docker.io/v1/' });
    expect(registryCredentials('other:5000', { DOCKER_CONFIG: dir })).toEqual({});
  });

  test('a credential helper is asked with the docker-credential protocol; a missing one is said, without any secret', () => {
    const dir = configDir({ credHelpers: { 'reg.example:443': 'cluster-test', 'gone.example': 'not-installed' }, auths: { 'gone.example': { auth: Buffer.from('carol:pw').toString('base64') } } });
    const bin = mkdtempSync(join(tmpdir(), 'helpers-'));
    writeFileSync(join(bin, 'docker-credential-cluster-test'), '#!/bin/sh\nread server\necho "{\\"ServerURL\\":\\"$server\\",\\"Username\\":\\"dave\\",\\"Secret\\":\\"from-helper\\"}"\n');
    chmodSync(join(bin, 'docker-credential-cluster-test'), 0o755);
    const env = { DOCKER_CONFIG: dir, PATH: `${bin}:${process.env.PATH}` };
    const saved = process.env.PATH;
    process.env.PATH = env.PATH; // execFileSync looks the helper up on this process's PATH
    try {
      expect(registryCredentials('reg.example:443', env)).toEqual({ auth: { username: 'dave', password: 'from-helper', serveraddress: 'reg.example:443' } });
      // The helper named for it is missing: the auths entry still serves.
      expect(registryCredentials('gone.example', env).auth).toMatchObject({ username: 'carol' });
    } finally {
      process.env.PATH = saved;
    }
    const only = configDir({ credsStore: 'not-installed' });
    const lookup = registryCredentials('x.example', { DOCKER_CONFIG: only });
    expect(lookup).toEqual({ problem: 'the credential helper docker-credential-not-installed named in the docker config is not installed' });
  });

  test('no config file means no credentials, not an error', () => {
    expect(registryCredentials('10.0.0.1:5000', { DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'empty-')) })).toEqual({});
  });
});

describe('image references', () => {
  test('registry and repository as distribution/reference splits them', () => {
    expect(registryOf('busybox:latest')).toBe('docker.io');
    expect(registryOf('library/busybox')).toBe('docker.io');
    expect(registryOf('10.200.1.1:5000/app:v1')).toBe('10.200.1.1:5000');
    expect(registryOf('localhost/app')).toBe('localhost');
    expect(repositoryOf('10.200.1.1:5000/app:v1')).toBe('10.200.1.1:5000/app');
    expect(repositoryOf('10.200.1.1:5000/app')).toBe('10.200.1.1:5000/app');
    expect(repositoryOf(`app@sha256:${'a'.repeat(64)}`)).toBe('app');
  });
});
