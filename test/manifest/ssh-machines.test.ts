// The ssh driver's machine keys: each value error at its key or value (file:line:col), ssh keys on
// another driver's machine reported by name, and good values turned into the driver's options.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loadManifest } from '../../src/manifest/index.js';

function load(machines: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ssh-machines-'));
  writeFileSync(join(dir, 'cluster.yml'), `name: t\nmachines:\n${machines}`);
  return { dir, r: loadManifest(join(dir, 'cluster.yml'), { env: {} }) };
}

const problems = (machines: string) => {
  const { r } = load(machines);
  return r.ok ? [] : r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`);
};

test('host, port, user, identity, host-key become options; identity is relative to the manifest', () => {
  const { dir, r } = load('  a: { driver: ssh, host: 10.0.0.5, port: 2222, user: deploy, identity: keys/id, host-key: accept-new }\n  b: { driver: ssh, host: "ssh://admin@web.example.org:2200", identity: ~/.ssh/id_ed25519 }\n');
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  expect(r.desired.machines[0]!.options).toEqual({ host: '10.0.0.5', port: 2222, user: 'deploy', identity: join(dir, 'keys/id'), 'host-key': 'accept-new' });
  expect(r.desired.machines[1]!.options).toEqual({ host: 'ssh://admin@web.example.org:2200', identity: join(homedir(), '.ssh/id_ed25519') });
});

test('each bad value is an error at its place', () => {
  expect(problems('  a: { driver: ssh, port: 0 }\n')).toEqual(['3:3 ssh machine a needs `host`', '3:27 invalid port 0']);
  expect(problems('  a:\n    driver: ssh\n    host: "-oProxyCommand=x"\n')).toEqual(['5:11 invalid host "-oProxyCommand=x"']);
  expect(problems('  a:\n    driver: ssh\n    host: 10.0.0.5\n    port: 70000\n')).toEqual(['6:11 invalid port 70000']);
  expect(problems('  a:\n    driver: ssh\n    host: 10.0.0.5\n    user: "-x"\n')).toEqual(['6:11 invalid ssh user name "-x"']);
  expect(problems('  a:\n    driver: ssh\n    host: "tcp://10.0.0.5:2376"\n')[0]).toBe("5:11 an ssh machine's `host` takes an ssh:// URL, not tcp://");
  expect(problems('  a:\n    driver: ssh\n    host: "ssh://u@10.0.0.5:22"\n    port: 22\n')).toEqual(['6:5 `port` is also given in `host` (ssh://u@10.0.0.5:22)']);
});

test('a bad host-key policy is refused (by the schema, at its value)', () => {
  const p = problems('  a:\n    driver: ssh\n    host: 10.0.0.5\n    host-key: trust-me\n');
  expect(p.length).toBeGreaterThan(0);
  expect(p[0]).toMatch(/^6:/);
});

test('ssh keys on a machine of another driver are reported by name', () => {
  expect(problems('  a:\n    driver: docker\n    user: root\n')).toEqual(['5:5 `user` is an option of the ssh driver (this machine uses docker)']);
  expect(problems('  a:\n    driver: ssh\n    host: h\n    image: x\n')).toEqual(['6:5 `image` is an option of the docker driver (this machine uses ssh)']);
});
