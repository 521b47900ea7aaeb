// `ports:` read as docker compose reads them, the same from cluster.yml and from a compose file: the
// short syntax as compose-go's types.ParsePortConfig → go-connections nat.ParsePortSpec (splitParts,
// SplitProtoPort, ParsePortRange, net.SplitHostPort + net.ParseIP for the host IP), the long syntax as
// compose-go's ServicePortConfig with validation.checkIPAddress on host_ip.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadManifest } from '../../src/manifest/index.js';
import { parsePort } from '../../src/manifest/ports.js';
import type { PortSpec } from '../../src/model/desired.js';

const ACCEPTED: [unknown, PortSpec[]][] = [
  ['80', [{ target: 80, protocol: 'tcp' }]],
  [80, [{ target: 80, protocol: 'tcp' }]],
  ['8080:80', [{ target: 80, published: 8080, protocol: 'tcp' }]],
  ['127.0.0.1::82', [{ target: 82, protocol: 'tcp', hostIp: '127.0.0.1' }]],
  ['127.0.0.1:8080:80/udp', [{ target: 80, published: 8080, protocol: 'udp', hostIp: '127.0.0.1' }]],
  ['[::1]:80:80', [{ target: 80, published: 80, protocol: 'tcp', hostIp: '::1' }]],
  ['[127.0.0.1]:81:81', [{ target: 81, published: 81, protocol: 'tcp', hostIp: '127.0.0.1' }]],
  ['8080-8081:80-81', [{ target: 80, published: 8080, protocol: 'tcp' }, { target: 81, published: 8081, protocol: 'tcp' }]],
  ['8000-8010:90', [{ target: 90, published: 8000, publishedEnd: 8010, protocol: 'tcp' }]],
  ['9000-9001', [{ target: 9000, protocol: 'tcp' }, { target: 9001, protocol: 'tcp' }]],
  ['5000:5000/sctp', [{ target: 5000, published: 5000, protocol: 'sctp' }]],
  ['53:53/UDP', [{ target: 53, published: 53, protocol: 'udp' }]],
  ['81/', [{ target: 81, protocol: 'tcp' }]],
  [':83', [{ target: 83, protocol: 'tcp' }]],
  ['0:84', [{ target: 84, protocol: 'tcp' }]],
  [{ target: 80, published: '8000-8010' }, [{ target: 80, published: 8000, publishedEnd: 8010, protocol: 'tcp' }]],
  [{ target: '80', published: 8080, host_ip: '::1', protocol: 'udp', mode: 'host', name: 'web', app_protocol: 'http' }, [{ target: 80, published: 8080, protocol: 'udp', hostIp: '::1', mode: 'host' }]],
];

const REJECTED: unknown[] = [
  '99999:80', '80-81:90-92', '::1:80:80', 'localhost:80:80', '1.2.3:80:80', '010.0.0.1:80:80', '[::1:80:80', '80/http', '', '/tcp', '81-80', 'abc', '0', 80.5, '-1',
  { target: 'eighty' }, { target: 99999 }, { target: 80, host_ip: 'localhost' }, { target: 80, published: 'soon' }, { target: 80, protocol: 'http' },
];

describe('parsePort follows nat.ParsePortSpec and ServicePortConfig', () => {
  test.each(ACCEPTED.map(([p, want]) => [JSON.stringify(p), p, want]))('%s is accepted', (_, p, want) => {
    const problems: string[] = [];
    expect(parsePort(p, (m) => problems.push(m))).toEqual(want);
    expect(problems).toEqual([]);
  });

  test.each(REJECTED.map((p) => [JSON.stringify(p), p]))('%s is an error', (_, p) => {
    const problems: string[] = [];
    expect(parsePort(p, (m) => problems.push(m))).toEqual([]);
    expect(problems).toHaveLength(1);
  });
});

describe('cluster.yml and a compose file read the same ports', () => {
  const list = (entries: unknown[]) => entries.map((p) => `      - ${JSON.stringify(p)}\n`).join('');
  function both(entries: unknown[]) {
    const dir = mkdtempSync(join(tmpdir(), 'ports-'));
    const service = `    image: nginx\n    ports:\n${list(entries)}`;
    writeFileSync(join(dir, 'compose.yml'), `services:\n  web:\n${service}`);
    writeFileSync(join(dir, 'cluster.yml'), `name: t\nmachines:\n  m: { driver: sim }\nservices:\n  web:\n${service}`);
    writeFileSync(join(dir, 'via-compose.yml'), 'name: t\nmachines:\n  m: { driver: sim }\ncompose: compose.yml\n');
    return [loadManifest(join(dir, 'cluster.yml'), { env: {} }), loadManifest(join(dir, 'via-compose.yml'), { env: {} })] as const;
  }

  test('what one accepts the other accepts, as the same ports', () => {
    for (const r of both(ACCEPTED.map(([p]) => p))) {
      if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n'));
      expect(r.desired.services[0]!.spec.ports).toEqual(ACCEPTED.flatMap(([, want]) => want));
    }
  });

  test('what one refuses the other refuses, each at its entry (line:col of the value)', () => {
    const [manifest, compose] = both(REJECTED);
    const at = (r: typeof manifest) => (r.ok ? [] : r.diagnostics.map((d) => `${d.line}:${d.col}`));
    // Entries start on line 8 of cluster.yml and line 5 of compose.yml, at column 9.
    expect(at(manifest)).toEqual(REJECTED.map((_, i) => `${8 + i}:9`));
    expect(at(compose)).toEqual(REJECTED.map((_, i) => `${5 + i}:9`));
  });
});

describe('a swarm service publishes on every node', () => {
  test('a host IP or a host range to pick from is an error at its entry, not dropped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ports-'));
    writeFileSync(join(dir, 'cluster.yml'), 'name: t\nmachines:\n  m: { driver: sim, role: manager }\nservices:\n  web:\n    image: nginx\n    mode: swarm\n    ports: ["127.0.0.1::82", "8000-8010:90", "8080:80"]\n');
    const r = loadManifest(join(dir, 'cluster.yml'), { env: {} });
    expect(r.ok ? [] : r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([
      '8:13 a `mode: swarm` service cannot publish on a host IP ("127.0.0.1::82")',
      '8:30 a `mode: swarm` service publishes one port per target, not a range to pick from ("8000-8010:90")',
    ]);
  });
});
