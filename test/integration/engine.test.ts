// The dockerode Engine against a real dockerd: what the core relies on, quirks included.
import { afterAll, describe, expect, test } from 'vitest';
import { connect } from '../../src/providers/docker/engine.js';
import type { ServiceSpec } from '../../src/model/desired.js';
import { LABEL } from '../../src/model/observed.js';
import { DOCKER_HOST } from './env.js';

const engine = connect(DOCKER_HOST);
const made: string[] = [];
const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({
  image: 'busybox:latest',
  command: ['sleep', '600'],
  environment: { GREETING: 'hi' },
  ports: [{ target: 80, published: 18080, protocol: 'tcp' }],
  volumes: [],
  labels: { team: 'it' },
  reservations: { cpus: 0.25, memory: 64 * 1024 ** 2 },
  limits: { cpus: 0, memory: 0 },
  links: [],
  volumesFrom: [],
  ...over,
});
const owner = { [LABEL.cluster]: 'enginetest', [LABEL.service]: 'web', [LABEL.replica]: '1', [LABEL.configHash]: 'h1' };

afterAll(async () => {
  for (const id of made) await engine.removeContainer(id);
});

describe('DockerEngine on a real dockerd', () => {
  test('ping, and facts with the engine’s size', async () => {
    expect(await engine.ping()).toBe(true);
    expect(await connect('unix:///nonexistent.sock').ping()).toBe(false);
    const f = await engine.facts();
    expect(f.cpus).toBeGreaterThan(0);
    expect(f.memory).toBeGreaterThan(0);
    expect(f.images.some((i) => i.tags.includes('busybox:latest'))).toBe(true);
  });

  test('create + start twice + facts shows ports, labels, owner and reservations; remove twice', async () => {
    const s = spec();
    const id = await engine.createContainer({ name: 'enginetest-web-1', spec: s, labels: { ...owner, [LABEL.spec]: JSON.stringify(s) } });
    made.push(id);
    await engine.startContainer(id);
    await engine.startContainer(id); // already running: success (dockerd says 304)
    const c = (await engine.facts()).containers.find((x) => x.id === id)!;
    expect(c).toMatchObject({ name: 'enginetest-web-1', state: 'running', ports: [{ published: 18080, protocol: 'tcp' }], owner: { service: 'web', replica: 1, configHash: 'h1' } });
    expect(c.labels.team).toBe('it');
    expect(c.reservations).toEqual({ cpus: 0.25, memory: 64 * 1024 ** 2 });
    await engine.removeContainer(id);
    await engine.removeContainer(id); // already gone: success (404)
    expect((await engine.facts()).containers.some((x) => x.id === id)).toBe(false);
  });

  test('a name conflict rejects as a conflict with the engine’s reason', async () => {
    const id = await engine.createContainer({ name: 'enginetest-dup', spec: spec({ ports: [] }), labels: owner });
    made.push(id);
    const err = await engine.createContainer({ name: 'enginetest-dup', spec: spec({ ports: [] }), labels: owner }).catch((e) => e);
    expect(err).toMatchObject({ kind: 'conflict', status: 409 });
    expect(err.message).toMatch(/already in use/);
  });

  test('an image that is neither present nor pullable fails with a clear message', async () => {
    await expect(engine.ensureImage('cluster-test/not-there:1')).rejects.toThrow(/cluster-test\/not-there:1 is not on .* and cannot be pulled/);
    expect(await engine.ensureImage('busybox:latest')).toBe('present');
  });
});
