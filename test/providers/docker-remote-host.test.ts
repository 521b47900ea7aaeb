// The docker driver needs its host engine on this computer (machine engine sockets are files here,
// bind-mounted by that engine): a DOCKER_HOST on another computer is refused at plan, at once, with
// the drivers to use instead (issue 16 point 3), and never waited on.
import { hostname } from 'node:os';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { remoteHostOf } from '../../src/providers/docker/host-local.js';
import { clusterAsync } from '../support/cli.js';

describe('docker driver host engine on another computer', () => {
  test('unix sockets, loopback and this computer’s own names are local; anything else is named', () => {
    for (const local of ['unix:///var/run/docker.sock', 'tcp://127.0.0.1:2375', 'tcp://localhost:2376', 'tcp://[::1]:2375', `ssh://me@${hostname()}`]) expect(remoteHostOf(local), local).toBeUndefined();
    expect(remoteHostOf('tcp://203.0.113.7:2376')).toBe('203.0.113.7');
    expect(remoteHostOf('ssh://deploy@build.example.com:22')).toBe('build.example.com');
  });

  test('plan with DOCKER_HOST on another computer exits 1 naming ssh and generic, without trying to reach it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cl-remote-'));
    writeFileSync(join(dir, 'cluster.yml'), 'name: remote\nmachines:\n  m1: { driver: docker }\n');
    // 203.0.113.0/24 is TEST-NET-3: nothing answers there, so reaching for it would hang until a timeout.
    const r = await clusterAsync(['plan', '-f', 'cluster.yml'], { cwd: dir, env: { DOCKER_HOST: 'tcp://203.0.113.7:2376' }, timeoutMs: 60_000 }); // a connect attempt would outlast this
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/host engine tcp:\/\/203\.0\.113\.7:2376 is on 203\.0\.113\.7/);
    expect(r.stderr).toMatch(/driver: ssh .* driver: generic/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
