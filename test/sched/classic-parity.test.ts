// Where classic Swarm's own Go code decides, the scheduler decides the same: each test names the
// file and function of github.com/docker/classicswarm (or moby/swarmkit) it follows. Written as
// manifests, so the manifest's reading of the expressions is held to the same rules.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadManifest } from '../../src/manifest/index.js';
import type { Desired } from '../../src/model/desired.js';
import type { Observed, ObservedContainer } from '../../src/model/observed.js';
import { explainService } from '../../src/sched/explain-service.js';
import { place } from '../../src/sched/index.js';
import { desired, facts, machine, owned, service } from '../support/build.js';

const none: Observed = { cluster: 't', machines: [] };

function load(yaml: string, files: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'classic-parity-'));
  writeFileSync(join(dir, 'cluster.yml'), yaml);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return loadManifest(join(dir, 'cluster.yml'));
}

function manifest(machines: string, services: string, head = ''): Desired {
  const r = load(`name: t\n${head}machines:\n${machines}services:\n${services}`);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n'));
  return r.desired;
}

function errors(yaml: string, files: Record<string, string> = {}): string[] {
  const r = load(yaml, files);
  return r.ok ? [] : r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file.split('/').pop()}:${d.line}:${d.col} ${d.message}`);
}

const where = (p: ReturnType<typeof place>) => p.replicas.map((r) => `${r.service}#${r.replica}@${r.machine}`);
const web = (constraint: string, scale = 1) => `  web:\n    image: nginx\n    scale: ${scale}\n    environment: ["${constraint}"]\n`;

describe('values are Go regular expressions (filter/expr.go Match: ^value$ with * → .*, /re/ searched for)', () => {
  test('a dot in a plain == value is any character', () => {
    const d = manifest('  m: { driver: sim, labels: { ver: "1x2" } }\n', web('constraint:ver==1.2'));
    expect(where(place(d, none))).toEqual(['web#1@m']);
  });

  test('a plain value with | is ^a or b$, as Go reads the pattern classic builds', () => {
    const d = manifest('  a: { driver: sim, labels: { zone: eu-1 } }\n  b: { driver: sim, labels: { zone: us } }\n  c: { driver: sim, labels: { zone: xus } }\n', web('constraint:zone==eu|us', 3));
    // ^eu matches eu-1, us$ matches us and xus.
    expect(where(place(d, none)).sort()).toEqual(['web#1@a', 'web#2@b', 'web#3@c']);
  });

  test('RE2 syntax: (?i), [[:digit:]] and \\A mean what they mean in Go', () => {
    const d = manifest(
      '  a: { driver: sim, labels: { zone: EU-1, rack: "12" } }\n  b: { driver: sim, labels: { zone: eu-1, rack: "1a" } }\n',
      web('constraint:zone==/(?i)eu-1/', 2) + '  rack:\n    image: nginx\n    environment: ["constraint:rack==/^[[:digit:]]+$/"]\n  anchored:\n    image: nginx\n    environment: ["constraint:zone==/\\\\Aeu/"]\n',
    );
    expect(where(place(d, none))).toEqual(['web#1@a', 'web#2@b', 'rack#1@a', 'anchored#1@b']);
  });

  test('an expression RE2 cannot compile is a manifest error at its line and column, in compose files too', () => {
    expect(errors('name: t\nmachines:\n  m: { driver: sim }\nservices:\n  web:\n    image: nginx\n    environment:\n      - "constraint:zone==/a|\\\\1/"\n')).toEqual([
      expect.stringMatching(/^cluster\.yml:8:9 invalid regular expression \/a\|\\1\/ in 'zone==\/a\|\\1\/'/),
    ]);
    // A plain value is a pattern too: ^eu($ does not compile.
    expect(errors('name: t\nmachines:\n  m: { driver: sim }\nservices:\n  web:\n    image: nginx\n    placement: { affinities: ["image==eu("] }\n')).toEqual([expect.stringMatching(/^cluster\.yml:7:31 invalid regular expression eu\( in 'image==eu\('/)]);
    const compose = 'services:\n  web:\n    image: nginx\n    environment:\n      - constraint:zone==/a**/\n';
    expect(errors('name: t\ncompose: compose.yml\nmachines:\n  m: { driver: sim }\n', { 'compose.yml': compose })).toEqual([expect.stringMatching(/^compose\.yml:5:\d+ invalid regular expression \/a\*\*\/ in/)]);
  });

  test('com.docker.swarm.constraints / .affinities labels are expressions too (cluster/config.go BuildContainerConfig)', () => {
    const d = manifest('  a: { driver: sim, labels: { zone: eu } }\n  b: { driver: sim, labels: { zone: us } }\n', `  web:\n    image: nginx\n    labels: { com.docker.swarm.constraints: '["zone==e.*"]' }\n  api:\n    image: nginx\n    labels: ['com.docker.swarm.affinities=["container!=t-web-*"]']\n`);
    expect(where(place(d, none))).toEqual(['web#1@a', 'api#1@b']);
    expect(errors("name: t\nmachines:\n  m: { driver: sim }\nservices:\n  web:\n    image: nginx\n    labels: { com.docker.swarm.constraints: 'zone==eu' }\n")).toEqual([
      expect.stringMatching(/^cluster\.yml:7:45 com\.docker\.swarm\.constraints must be a JSON list of expressions/),
    ]);
  });

  test("'/' alone is refused (classic's Match slices value[1:0] and fails the request)", () => {
    expect(errors('name: t\nmachines:\n  m: { driver: sim }\nservices:\n  web:\n    image: nginx\n    environment: ["constraint:zone==/"]\n')).toEqual([expect.stringContaining("'/' alone is not a value")]);
  });
});

describe('a missing label is the empty string (constraint.go: node.Labels[key]; affinity.go: container.Labels[key])', () => {
  const ab = '  a: { driver: sim, labels: { zone: eu } }\n  b: { driver: sim }\n';

  test('zone!=* is refused by every machine, and says why', () => {
    const p = place(manifest(ab, web('constraint:zone!=*')), none);
    expect(p.replicas).toEqual([]);
    expect(p.unschedulable[0]!.summary).toBe('0/2 machines can take web-1: 2 constraint zone!=*');
    expect(p.unschedulable[0]!.reasons.map((r) => r.reason)).toEqual(['constraint zone!=* not met (zone=eu)', 'constraint zone!=* not met (no zone)']);
  });

  test('zone==* and zone==/x*/ take the machine without the label too; zone==/^$/ only it', () => {
    expect(where(place(manifest(ab, web('constraint:zone==*', 2)), none))).toEqual(['web#1@a', 'web#2@b']);
    expect(where(place(manifest(ab, web('constraint:zone==/x*/', 2)), none))).toEqual(['web#1@a', 'web#2@b']);
    expect(where(place(manifest(ab, web('constraint:zone==/^$/', 2)), none))).toEqual(['web#1@b', 'web#2@b']);
  });

  test('affinity tier!=* refuses a machine running a container without tier; a machine running nothing takes it', () => {
    const d = manifest('  a: { driver: sim }\n  b: { driver: sim }\n', '  app:\n    image: nginx\n    environment: ["affinity:tier!=*"]\n  gate:\n    image: nginx\n    environment: ["affinity:tier!=/^$/"]\n');
    const other: ObservedContainer = { ...owned('x', 1), owner: undefined, labels: {}, name: 'plain' };
    const observed: Observed = { cluster: 't', machines: [{ name: 'a', driver: 'sim', state: 'running', engine: facts({ containers: [other] }) }] };
    const p = place(d, observed);
    expect(where(p)).toEqual(['app#1@b']);
    // tier!=/^$/: a's container offers '' (refused); b now runs app, whose container has no tier either.
    expect(p.unschedulable.map((u) => u.summary)).toEqual(['0/2 machines can take gate-1: 2 affinity tier!=/^$/']);
  });

  test('a key named like an object property (constructor, toString) is a label like any other', () => {
    const d = manifest('  a: { driver: sim, labels: { toString: x } }\n  b: { driver: sim }\n', web('constraint:toString==x') + '  ctor:\n    image: nginx\n    environment: ["constraint:constructor==/^$/", "affinity:hasOwnProperty!=*"]\n');
    expect(where(place(d, none))).toEqual(['web#1@a', 'ctor#1@b']);
  });

  test('even __proto__ is a label key (classic keys allow it)', () => {
    const labels = JSON.parse('{"__proto__": "x"}') as Record<string, string>; // an own key, as a YAML map gives it
    const c = { key: '__proto__', op: '==' as const, value: 'x', soft: false, text: '__proto__==x' };
    const d = desired([machine('a'), machine('b', { labels })], [service('web', { placement: { constraints: [c], affinities: [] } })]);
    expect(where(place(d, none))).toEqual(['web#1@b']);
  });

  test('the explanation is never empty: a refused literal value names the constraint', () => {
    const p = place(manifest('  m: { driver: sim, labels: { ver: "1x2" } }\n', web('constraint:ver==1-2')), none);
    expect(p.unschedulable[0]!.summary).toBe('0/1 machines can take web-1: 1 constraint ver==1-2');
  });
});

describe('keys keep their case (Docker labels are case-sensitive; constraint.go switches on the key as written)', () => {
  test('Zone==eu finds label Zone; zone==eu does not', () => {
    const d = manifest('  m: { driver: sim, labels: { Zone: eu } }\n', web('constraint:Zone==eu') + '  low:\n    image: nginx\n    environment: ["constraint:zone==eu"]\n');
    const p = place(d, none);
    expect(where(p)).toEqual(['web#1@m']);
    expect(p.unschedulable[0]!.summary).toBe('0/1 machines can take low-1: 1 constraint zone==eu');
  });

  test("built-in keys are classic's lower-case engine labels (cluster/engine.go updateSpecs): facts win, a label 'node' never counts", () => {
    const d = manifest(
      '  m: { driver: sim, labels: { storagedriver: overlay2, node: other } }\n',
      web('constraint:storagedriver==sim') + '  upper:\n    image: nginx\n    environment: ["constraint:StorageDriver==sim"]\n  os:\n    image: nginx\n    environment: ["constraint:ostype==linux"]\n  named:\n    image: nginx\n    environment: ["constraint:node==other"]\n',
    );
    const observed: Observed = { cluster: 't', machines: [{ name: 'm', driver: 'sim', state: 'running', engine: facts({ id: 'ID1', osType: 'linux', labels: { storagedriver: 'overlay2', node: 'other' } }) }] };
    const p = place(d, observed);
    expect(where(p)).toEqual(['web#1@m', 'os#1@m']);
    expect(p.unschedulable.map((u) => u.service)).toEqual(['upper', 'named']);
  });

  test('compose constraints follow swarmkit (constraint.go Match: EqualFold): literal, any case; field names any case', () => {
    const d = manifest('  a: { driver: sim, labels: { ver: "1x2", zone: EU } }\n  b: { driver: sim, labels: { ver: "1.2" } }\n', '  web:\n    image: nginx\n    scale: 2\n    deploy: { placement: { constraints: ["node.labels.ver == 1.2", "Node.Labels.zone != eu"] } }\n');
    expect(where(place(d, none))).toEqual(['web#1@b', 'web#2@b']);
  });
});

describe('host ports clash by address (filter/port.go compare, bindsAllInterfaces)', () => {
  const svc = (name: string, port: string) => `  ${name}:\n    image: nginx\n    ports: ["${port}"]\n`;

  test('127.0.0.1:8080 and 127.0.0.2:8080 share a machine; 0.0.0.0:8080 clashes with both', () => {
    const d = manifest('  m: { driver: sim }\n', svc('one', '127.0.0.1:8080:80') + svc('two', '127.0.0.2:8080:80') + svc('three', '127.0.0.1:8080:80') + svc('all', '0.0.0.0:8080:80'));
    const p = place(d, none);
    expect(where(p)).toEqual(['one#1@m', 'two#1@m']);
    expect(p.unschedulable.map((u) => u.summary)).toEqual(['0/1 machines can take three-1: 1 port 127.0.0.1:8080/tcp in use', '0/1 machines can take all-1: 1 port 8080/tcp in use']);
  });

  test("an observed container's host address counts: one on 127.0.0.1 leaves 127.0.0.2 free, one on all interfaces leaves nothing", () => {
    const d = manifest('  a: { driver: sim }\n  b: { driver: sim }\n', svc('web', '127.0.0.2:8080:80'));
    const on = (ip?: string): ObservedContainer => ({ ...owned('x', 1), owner: undefined, labels: {}, name: `held-${ip ?? 'all'}`, ports: [{ published: 8080, protocol: 'tcp', ...(ip ? { hostIp: ip } : {}) }] });
    const observed: Observed = {
      cluster: 't',
      machines: [
        { name: 'a', driver: 'sim', state: 'running', engine: facts({ containers: [on()] }) },
        { name: 'b', driver: 'sim', state: 'running', engine: facts({ containers: [on('127.0.0.1')] }) },
      ],
    };
    expect(where(place(d, observed))).toEqual(['web#1@b']);
  });

  test('deliberate: 8080/udp beside 8080/tcp is allowed (classic compares the host port only; engines run both)', () => {
    const d = manifest('  m: { driver: sim }\n', svc('tcp', '8080:80') + svc('udp', '8080:80/udp'));
    expect(where(place(d, none))).toEqual(['tcp#1@m', 'udp#1@m']);
    expect(explainService(d, none, 'udp')!.notes).toEqual([expect.stringContaining('8080/udp beside 8080/tcp is allowed (classic refuses it')]);
  });
});

describe('container references resolve as classic resolves them (cluster/container.go Containers.Get)', () => {
  test('volumes_from container: takes the id, its 12-character short form, the name, or <machine>/<name>', () => {
    const id = 'a'.repeat(12) + 'b'.repeat(52);
    const refs = [id, id.slice(0, 12), 'db', 'a/db', id.slice(0, 11)];
    const services = refs.map((r, i) => `  s${i}:\n    image: nginx\n    volumes_from: ["container:${r}"]\n`).join('');
    const d = manifest('  a: { driver: sim }\n  b: { driver: sim }\n', services);
    const db: ObservedContainer = { ...owned('x', 1), owner: undefined, labels: {}, id, name: 'db' };
    const observed: Observed = { cluster: 't', machines: [{ name: 'a', driver: 'sim', state: 'running', engine: facts({ id: 'ENGINE-A', containers: [db] }) }] };
    const p = place(d, observed);
    expect(where(p)).toEqual(['s0#1@a', 's1#1@a', 's2#1@a', 's3#1@a']);
    expect(p.unschedulable.map((u) => u.summary)).toEqual([`0/2 machines can take s4-1: 2 dependency ${id.slice(0, 11)}`]);
  });
});

describe('scheduler.overcommit (cluster/engine.go TotalCpus/TotalMemory: total + total × int64(overcommit × 100) / 100)', () => {
  const big = (cpus: number, memory: string) => `  web:\n    image: nginx\n    deploy: { resources: { reservations: { cpus: "${cpus}", memory: ${memory} } } }\n`;

  test('0.05 lets a reservation 5% over the memory in; 0 (the default) does not', () => {
    const machines = '  m: { driver: sim, cpus: 20, memory: 1000MiB }\n';
    expect(place(manifest(machines, big(0, '1050MiB')), none).unschedulable[0]!.summary).toBe('0/1 machines can take web-1: 1 not enough memory');
    const over = manifest(machines, big(0, '1050MiB'), 'scheduler: { overcommit: 0.05 }\n');
    expect(where(place(over, none))).toEqual(['web#1@m']);
    expect(explainService(over, none, 'web')!.notes).toEqual([expect.stringContaining('scheduler.overcommit 0.05')]);
    expect(where(place(manifest(machines, big(0, '1051MiB'), 'scheduler: { overcommit: 0.05 }\n'), none))).toEqual([]);
  });

  test('cpus are whole in classic: 5% of 20 cpus is 1 more, 5% of 4 cpus is none', () => {
    const with5 = 'scheduler: { overcommit: 0.05 }\n';
    expect(where(place(manifest('  m: { driver: sim, cpus: 20, memory: 1GiB }\n', big(21, '0'), with5), none))).toEqual(['web#1@m']);
    expect(where(place(manifest('  m: { driver: sim, cpus: 4, memory: 1GiB }\n', big(4.2, '0'), with5), none))).toEqual([]);
  });

  test('the value is checked as classic checks swarm.overcommit: a number greater than -1', () => {
    const head = 'name: t\nmachines:\n  m: { driver: sim }\nscheduler:\n  overcommit: ';
    expect(errors(head + '-1\n')).toEqual([expect.stringMatching(/^cluster\.yml:5:15 overcommit must be a number greater than -1/)]);
    expect(errors(head + 'lots\n')).toEqual([expect.stringMatching(/^cluster\.yml:5:15 overcommit must be a number/)]);
    expect(errors(head + '0.05\n')).toEqual([]);
  });
});

describe('deliberate differences, said where they apply', () => {
  test('random honours reservations (classic random.go shuffles every node, full ones too)', () => {
    const d = manifest('  full: { driver: sim, cpus: 1, memory: 1GiB }\n  room: { driver: sim, cpus: 1, memory: 8GiB }\n', `  db:\n    image: nginx\n    scale: 6\n    deploy: { resources: { reservations: { memory: 1GiB } } }\n`, 'scheduler: { strategy: random, seed: 3 }\n');
    const p = place(d, none);
    expect(where(p).filter((r) => r.endsWith('@full')).length).toBeLessThanOrEqual(1);
    expect(p.replicas.length).toBe(6);
    expect(explainService(d, none, 'db')!.rule).toContain('classic');
  });

  test('ties go by machine name (classic sorts with an unstable sort.Sort), and explain says so', () => {
    const d = manifest('  c: { driver: sim }\n  a: { driver: sim }\n  b: { driver: sim }\n', web('constraint:node!=nothing', 3));
    expect(where(place(d, none))).toEqual(['web#1@a', 'web#2@b', 'web#3@c']);
    expect(explainService(d, none, 'web')!.rule).toMatch(/machine name/);
  });
});
