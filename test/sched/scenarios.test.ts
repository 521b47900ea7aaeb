// Scenario tests: one behaviour of the classic Swarm scheduler each, with the explanation a user reads.
import { describe, expect, test } from 'vitest';
import type { DesiredService, Expression } from '../../src/model/desired.js';
import type { Observed } from '../../src/model/observed.js';
import { place } from '../../src/sched/index.js';
import { desired, machine, owned, running, service, spec } from '../support/build.js';

const GiB = 1024 ** 3;
const none: Observed = { cluster: 'demo', machines: [] };
const e = (text: string): Expression => {
  const m = /^([\w.]+)(==|!=)(~?)(.*)$/.exec(text)!;
  return { key: m[1]!, op: m[2] as '==' | '!=', soft: m[3] === '~', value: m[4]!, text };
};
const where = (p: ReturnType<typeof place>) => p.replicas.map((r) => `${r.service}#${r.replica}@${r.machine}`);
const three = () => [machine('big', { labels: { size: 'xxl' }, cpus: 4, memory: 8 * GiB }), machine('little', { labels: { size: 'small' } }), machine('m3', { labels: { size: 'small' } })];

describe('strategies', () => {
  test('spread: lowest weight, then fewest containers, then name', () => {
    const d = desired(three(), [service('bird', { scale: 6 })]);
    expect(where(place(d, none))).toEqual(['bird#1@big', 'bird#2@little', 'bird#3@m3', 'bird#4@big', 'bird#5@little', 'bird#6@m3']);
  });

  test('spread weighs reservations: the machine with most room relative to its size wins', () => {
    const d = desired(three(), [service('db', { scale: 3, spec: spec({ reservations: { cpus: 0, memory: GiB } }) })]);
    // big: (1/8→12)+100; little and m3: (1/2→50)+100. Then big at 25 still beats 50.
    expect(where(place(d, none))).toEqual(['db#1@big', 'db#2@big', 'db#3@big']);
  });

  test('binpack: highest weight until full, then the next machine', () => {
    const d = desired(three(), [service('db', { scale: 5, spec: spec({ reservations: { cpus: 0, memory: GiB } }) })], { scheduler: { strategy: 'binpack', seed: 0, filters: ['health', 'port', 'dependency', 'affinity', 'constraint'] } });
    expect(where(place(d, none))).toEqual(['db#1@little', 'db#2@little', 'db#3@m3', 'db#4@m3', 'db#5@big']);
  });

  test('random: reproducible for a seed, different for another', () => {
    const make = (seed: number) => desired(three(), [service('bird', { scale: 12 })], { scheduler: { strategy: 'random', seed, filters: ['constraint'] } });
    expect(where(place(make(7), none))).toEqual(where(place(make(7), none)));
    expect(where(place(make(7), none))).not.toEqual(where(place(make(8), none)));
  });
});

describe('filters', () => {
  test('constraint: only matching machines; exact, glob, regex and !=', () => {
    const s = (name: string, c: string) => service(name, { scale: 2, placement: { constraints: [e(c)], affinities: [] } });
    const d = desired(three(), [s('a', 'size==xxl'), s('b', 'size==sm*'), s('c', 'node==/^(m3|big)$/'), s('d', 'size!=xxl')]);
    expect(where(place(d, none))).toEqual(['a#1@big', 'a#2@big', 'b#1@little', 'b#2@m3', 'c#1@m3', 'c#2@big', 'd#1@little', 'd#2@little']); // little had 1 container, m3 2; then a tie of 2 goes by name
  });

  test('port: a host port in use by anyone, or planned earlier, excludes the machine', () => {
    const web = service('web', { scale: 3, spec: spec({ ports: [{ target: 80, published: 8080, protocol: 'tcp' }] }) });
    const observed: Observed = { cluster: 'demo', machines: [running('little', { containers: [{ ...owned('x', 1), labels: {}, owner: undefined, name: 'nginx', ports: [{ published: 8080, protocol: 'tcp' }] }] })] };
    const p = place(desired(three(), [web]), observed);
    expect(where(p)).toEqual(['web#1@big', 'web#2@m3']);
    expect(p.unschedulable[0]!.summary).toBe('0/3 machines can take web-3: 3 port 8080/tcp in use');
    expect(p.unschedulable[0]!.reasons.map((r) => `${r.machine}: ${r.reason}`)).toEqual(['big: port 8080/tcp in use by demo-web-1', 'little: port 8080/tcp in use by nginx', 'm3: port 8080/tcp in use by demo-web-2']);
  });

  test('dependency: a linked service runs only where its dependency runs; dependencies are placed first', () => {
    const app = service('app', { scale: 2, dependsOn: ['db'], spec: spec({ links: ['db:database'] }) });
    const db = service('db', { scale: 1, placement: { constraints: [e('size==small')], affinities: [] } });
    const p = place(desired(three(), [app, db]), none);
    expect(where(p)).toEqual(['db#1@little', 'app#1@little', 'app#2@little']);
  });

  test('affinity: container, image and label keys, == and !=', () => {
    const db = service('db', { scale: 1, spec: spec({ image: 'redis:7', labels: { tier: 'data' } }), placement: { constraints: [e('node==m3')], affinities: [] } });
    const near = service('near', { scale: 2, placement: { constraints: [], affinities: [e('container==demo-db-*')] } });
    const away = service('away', { scale: 2, placement: { constraints: [], affinities: [e('image!=redis')] } });
    const label = service('label', { scale: 1, placement: { constraints: [], affinities: [e('tier==data')] } });
    const p = place(desired(three(), [db, near, away, label]), none);
    expect(where(p)).toEqual(['db#1@m3', 'near#1@m3', 'near#2@m3', 'away#1@big', 'away#2@little', 'label#1@m3']);
  });

  test('health: an engine silent past its grace period takes nothing, nor does a stopped machine (what it holds is unknown until it starts)', () => {
    const observed: Observed = { cluster: 'demo', machines: [{ name: 'big', driver: 'sim', state: 'running', engine: null, problem: 'timeout', silentSince: '2000-01-01T00:00:00Z' }, { name: 'little', driver: 'sim', state: 'stopped', engine: null }] };
    const p = place(desired(three(), [service('bird', { scale: 4, placement: { constraints: [e('size==xxl')], affinities: [] } })]), observed);
    expect(p.replicas).toEqual([]);
    expect(p.unschedulable[0]!.reasons[0]).toEqual({ machine: 'big', filter: 'health', reason: 'unhealthy: engine unreachable (timeout)' });
  });
});

describe('soft expressions and resources', () => {
  test('soft constraint: preferred while possible, ignored when nothing matches', () => {
    const s = service('s', { scale: 2, placement: { constraints: [e('size==~gpu')], affinities: [] } });
    expect(where(place(desired(three(), [s]), none))).toEqual(['s#1@big', 's#2@little']);
    const t = service('t', { scale: 3, placement: { constraints: [e('size==~xxl')], affinities: [] } });
    expect(where(place(desired(three(), [t]), none))).toEqual(['t#1@big', 't#2@big', 't#3@big']);
  });

  test('soft expressions also yield when their machines are full (classic Swarm retries without them)', () => {
    const t = service('t', { scale: 3, spec: spec({ reservations: { cpus: 2, memory: 0 } }), placement: { constraints: [e('size==~xxl')], affinities: [] } });
    expect(where(place(desired(three(), [t]), none))).toEqual(['t#1@big', 't#2@big', 't#3@little']);
  });

  test('a machine smaller than the request is skipped, a full one too; explanations say how much is free', () => {
    const huge = service('huge', { scale: 1, spec: spec({ reservations: { cpus: 0, memory: 4 * GiB } }) });
    const fill = service('fill', { scale: 2, spec: spec({ reservations: { cpus: 0, memory: 3 * GiB } }), placement: { constraints: [e('node==big')], affinities: [] } });
    const p = place(desired(three(), [fill, huge]), none);
    expect(where(p)).toEqual(['fill#1@big', 'fill#2@big']);
    expect(p.unschedulable[0]!.reasons.map((r) => `${r.machine}: ${r.reason}`)).toEqual(['big: needs 4 GiB memory, 2 GiB free', 'little: needs 4 GiB memory, has 2 GiB in all', 'm3: needs 4 GiB memory, has 2 GiB in all']);
    expect(p.unschedulable[0]!.summary).toBe('0/3 machines can take huge-1: 3 not enough memory');
  });

  test('every later replica of a blocked service is reported with the first', () => {
    const p = place(desired(three(), [service('gpu', { scale: 3, placement: { constraints: [e('gpu==true')], affinities: [] } })]), none);
    expect(p.unschedulable).toHaveLength(1);
    expect(p.unschedulable[0]!.replicas).toEqual([1, 2, 3]);
    expect(p.unschedulable[0]!.reasons.map((r) => r.reason)).toEqual(['constraint gpu==true not met (no gpu)', 'constraint gpu==true not met (no gpu)', 'constraint gpu==true not met (no gpu)']);
  });
});

describe('existing replicas', () => {
  const svc = (over: Partial<DesiredService> = {}) => service('web', { scale: 2, ...over });

  test('stay where they are (kept), or are replaced in place when their config changed', () => {
    const observed: Observed = { cluster: 'demo', machines: [running('m3', { containers: [owned('web', 1), owned('web', 2, 'stale')] })] };
    const p = place(desired(three(), [svc()]), observed);
    expect(p.replicas.map((r) => `${r.replica}@${r.machine}:${r.fate}`)).toEqual(['1@m3:kept', '2@m3:replaced']);
  });

  test('move when their machine no longer meets a hard constraint, or leaves the manifest', () => {
    const observed: Observed = { cluster: 'demo', machines: [running('little', { containers: [owned('web', 1)] }), running('gone', { containers: [owned('web', 2)] })] };
    const p = place(desired(three(), [svc({ placement: { constraints: [e('size==xxl')], affinities: [] } })]), observed);
    expect(p.replicas.map((r) => `${r.replica}@${r.machine}:${r.fate}:${r.existing?.machine}`)).toEqual(['1@big:new:little', '2@big:new:gone']);
  });

  test("others' containers count for ports, resources and weights; ours that go away do not", () => {
    const stale = owned('old', 1, 'x', { reservations: { cpus: 0, memory: 2 * GiB } });
    const observed: Observed = { cluster: 'demo', machines: [running('little', { containers: [stale] })] };
    const p = place(desired([machine('little')], [service('db', { spec: spec({ reservations: { cpus: 0, memory: 2 * GiB } }) })]), observed);
    expect(where(p)).toEqual(['db#1@little']);
  });
});
