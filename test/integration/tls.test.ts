// Remote engines over TCP are reached with TLS and client certificates, verified both ways: a
// second private dockerd listens on loopback with --tlsverify; the generic driver adopts it with
// the manifest's `tls:` files, and a client with another CA, or without a certificate, is refused.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connect } from '../../src/engine/docker.js';
import { cluster } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cl-tls-'));
const port = 23000 + (process.pid % 1000);
const url = `tcp://127.0.0.1:${port}`;
let dockerd: ChildProcess | undefined;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}-key.pem`, '-out', `${name}.pem`);
}

function makeCert(name: string, ca: string, ext: string): void {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
}

beforeAll(async () => {
  makeCa('ca');
  makeCa('other-ca');
  makeCert('server', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  makeCert('client', 'ca', 'extendedKeyUsage=clientAuth\n');
  makeCert('stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');
  dockerd = spawn(
    'dockerd',
    ['--tlsverify', '--tlscacert', join(dir, 'ca.pem'), '--tlscert', join(dir, 'server.pem'), '--tlskey', join(dir, 'server-key.pem'), '-H', url,
      '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid'), '--bridge', 'none', '--iptables=false'],
    { stdio: 'ignore' },
  );
  const engine = connect(url, { ca: join(dir, 'ca.pem'), cert: join(dir, 'client.pem'), key: join(dir, 'client-key.pem') });
  for (let i = 0; i < 150 && !(await engine.ping()); i++) await new Promise((r) => setTimeout(r, 200));
}, 60_000);

afterAll(() => {
  dockerd?.kill('SIGTERM');
});

test('the generic driver reaches a TLS engine with client certificates; others are refused', async () => {
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, `name: tls\nmachines:\n  remote:\n    driver: generic\n    url: ${url}\n    tls: { ca: ca.pem, cert: client.pem, key: client-key.pem }\n`);
  const ls = cluster(['ls', '--json', '-f', file], { cwd: dir, env: { DOCKER_HOST: undefined } });
  expect(ls.code, ls.stderr).toBe(0);
  expect(JSON.parse(ls.stdout)).toMatchObject([{ name: 'remote', driver: 'generic', state: 'running', url }]);

  expect(await connect(url, { ca: join(dir, 'ca.pem') }).ping()).toBe(false); // no client certificate
  expect(await connect(url, { ca: join(dir, 'ca.pem'), cert: join(dir, 'stranger.pem'), key: join(dir, 'stranger-key.pem') }).ping()).toBe(false); // wrong CA
  expect(await connect(url, { ca: join(dir, 'other-ca.pem'), cert: join(dir, 'client.pem'), key: join(dir, 'client-key.pem') }).ping()).toBe(false); // server not trusted
  expect(await connect(url.replace('tcp:', 'http:')).ping()).toBe(false); // plain HTTP
});
