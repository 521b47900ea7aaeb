// DockerEngine against a real dockerd, beyond engine.test.ts: the whole create mapping accepted by
// the engine, error kinds (notFound, conflict, unreachable → transient 'unavailable'), and copying an image from a source
// engine when pulling fails (no registry is reachable here). Only `enginetest-` objects are made.
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/providers/docker/engine.js';
import { EngineError } from '../../src/engine/errors.js';
import type { Engine } from '../../src/engine/types.js';
import type { ServiceSpec } from '../../src/model/desired.js';
import { LABEL } from '../../src/model/observed.js';
import { DOCKER_HOST } from './env.js';

const engine = connect(DOCKER_HOST);
const containers: string[] = [];
const volumes: string[] = [];
const images: string[] = [];

const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({
  image: 'busybox:latest',
  command: ['sleep', '600'],
  environment: { MODE: 'test', EQ: 'a=b' },
  ports: [],
  volumes: [],
  labels: { team: 'engine-docker' },
  reservations: { cpus: 0, memory: 0 },
  limits: { cpus: 0, memory: 0 },
  links: [],
  volumesFrom: [],
  ...over,
});

afterAll(async () => {
  for (const id of containers) await engine.removeContainer(id);
  for (const v of volumes) await engine.docker.getVolume(v).remove().catch(() => undefined);
  for (const i of images) await engine.docker.getImage(i).remove({ noprune: true }).catch(() => undefined);
});

describe('DockerEngine (real dockerd): create mapping, errors, image copy', () => {
  it('ping is true, and false (never a throw) for an engine that is not there', async () => {
    expect(await engine.ping()).toBe(true);
    expect(await connect('unix:///run/cluster-test/nothing-here.sock').ping()).toBe(false);
  });

  it('creates a container with every mapped field; facts show it; start and remove are idempotent', async () => {
    const s = spec({
      ports: [
        { target: 53, published: 18153, protocol: 'udp', hostIp: '127.0.0.1' },
        { target: 80, published: 18180, protocol: 'tcp' },
        { target: 9000, protocol: 'tcp' },
        { target: 82, protocol: 'tcp', hostIp: '127.0.0.1' },
        { target: 90, published: 18190, publishedEnd: 18199, protocol: 'tcp' },
      ],
      volumes: [
        { type: 'volume', target: '/anon', readOnly: false },
        { type: 'tmpfs', target: '/scratch', readOnly: false },
        { type: 'bind', source: '/tmp', target: '/host-tmp', readOnly: true },
      ],
      restart: 'on-failure:3',
      healthcheck: { test: ['CMD-SHELL', 'true'], intervalMs: 2000, timeoutMs: 500, retries: 2, startPeriodMs: 100 },
      reservations: { cpus: 0.25, memory: 16 * 1024 ** 2 },
      limits: { cpus: 0.5, memory: 64 * 1024 ** 2 },
    });
    const labels = { [LABEL.cluster]: 'enginetest', [LABEL.service]: 'probe', [LABEL.replica]: '3', [LABEL.configHash]: 'h3', [LABEL.spec]: JSON.stringify(s) };
    const id = await engine.createContainer({ name: 'enginetest-probe-3', spec: s, labels });
    containers.push(id);
    await engine.startContainer(id);
    await engine.startContainer(id); // 304: already running

    const ins = await engine.docker.getContainer(id).inspect();
    for (const m of ins.Mounts) if (m.Type === 'volume' && m.Name) volumes.push(m.Name);
    expect(ins.State.Status).toBe('running');
    expect(ins.Config.Env).toEqual(expect.arrayContaining(['MODE=test', 'EQ=a=b']));
    expect(ins.Config.Cmd).toEqual(['sleep', '600']);
    expect(ins.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    expect(ins.HostConfig.NanoCpus).toBe(500_000_000);
    expect(ins.HostConfig.Memory).toBe(64 * 1024 ** 2);
    expect(ins.HostConfig.MemoryReservation).toBe(16 * 1024 ** 2);
    expect(ins.Config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'true'], Interval: 2e9, Timeout: 5e8, Retries: 2, StartPeriod: 1e8 });
    // Every port is bound, as docker compose binds them (buildContainerPortBindingOptions): an empty
    // HostPort is one the engine picks, a range one it picks from.
    expect(ins.HostConfig.PortBindings).toEqual({
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '18153' }],
      '80/tcp': [{ HostIp: '', HostPort: '18180' }],
      '9000/tcp': [{ HostIp: '', HostPort: '' }],
      '82/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
      '90/tcp': [{ HostIp: '', HostPort: '18190-18199' }],
    });
    expect(ins.Mounts.map((m) => [m.Type, m.Destination, m.RW]).sort()).toEqual([
      ['bind', '/host-tmp', false],
      ['tmpfs', '/scratch', true],
      ['volume', '/anon', true],
    ]);

    const c = (await engine.facts()).containers.find((x) => x.id === id);
    expect(c).toBeDefined();
    expect(c!.name).toBe('enginetest-probe-3');
    expect(c!.state).toBe('running');
    expect(c!.labels).toMatchObject({ team: 'engine-docker', [LABEL.cluster]: 'enginetest' });
    expect(c!.owner).toEqual({ cluster: 'enginetest', service: 'probe', replica: 3, configHash: 'h3' });
    expect(c!.reservations).toEqual({ cpus: 0.25, memory: 16 * 1024 ** 2 });
    expect(c!.ports).toEqual(expect.arrayContaining([{ published: 18153, protocol: 'udp', hostIp: '127.0.0.1' }, { published: 18180, protocol: 'tcp' }]));
    // 9000 and 82 on ports the engine picked, 90 on one of 18190-18199.
    expect(c!.ports.some((p) => p.published >= 18190 && p.published <= 18199)).toBe(true);
    expect(c!.ports.length).toBeGreaterThanOrEqual(5);

    await engine.removeContainer(id);
    await engine.removeContainer(id); // 404: already gone
    expect((await engine.facts()).containers.some((x) => x.id === id)).toBe(false);
  });

  it('one host port on two addresses runs twice; on all interfaces it clashes (what classic port.go and our scheduler assume)', async () => {
    const on = (hostIp?: string) => spec({ ports: [{ target: 80, published: 18190, protocol: 'tcp', ...(hostIp ? { hostIp } : {}) }] });
    const started: string[] = [];
    for (const [name, ip] of [['enginetest-port-a', '127.0.0.1'], ['enginetest-port-b', '127.0.0.2']] as const) {
      const id = await engine.createContainer({ name, spec: on(ip), labels: {} });
      containers.push(id);
      await engine.startContainer(id);
      started.push(id);
    }
    const all = await engine.createContainer({ name: 'enginetest-port-all', spec: on(), labels: {} });
    containers.push(all);
    await expect(engine.startContainer(all)).rejects.toThrow(/port is already allocated|address already in use/);
    const facts = await engine.facts();
    expect(started.map((id) => facts.containers.find((c) => c.id === id)!.ports)).toEqual([
      [{ published: 18190, protocol: 'tcp', hostIp: '127.0.0.1' }],
      [{ published: 18190, protocol: 'tcp', hostIp: '127.0.0.2' }],
    ]);
  });

  it('a container without ownership labels has no owner', async () => {
    const id = await engine.createContainer({ name: 'enginetest-foreign', spec: spec(), labels: {} });
    containers.push(id);
    const c = (await engine.facts()).containers.find((x) => x.id === id);
    expect(c?.owner).toBeUndefined();
    expect(c?.state).toBe('created');
  });

  it('creating from a missing image rejects as notFound, with the engine’s “No such image”', async () => {
    const err = await engine.createContainer({ name: 'enginetest-noimage', spec: spec({ image: 'enginetest-missing:1' }), labels: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ kind: 'notFound', status: 404, transient: false, message: 'No such image: enginetest-missing:1' });
  });

  it('a taken name is a conflict with the engine’s reason; a missing container is notFound', async () => {
    const id = await engine.createContainer({ name: 'enginetest-taken', spec: spec(), labels: {} });
    containers.push(id);
    const taken = await engine.createContainer({ name: 'enginetest-taken', spec: spec(), labels: {} }).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(EngineError);
    expect(taken).toMatchObject({ kind: 'conflict', status: 409, transient: false });
    expect((taken as Error).message).toMatch(/^Conflict\. The container name "\/enginetest-taken" is already in use/);
    const missing = await engine.containerStatus('enginetest-no-such-container').catch((e: unknown) => e);
    expect(missing).toMatchObject({ kind: 'notFound', status: 404, message: 'No such container: enginetest-no-such-container' });
  });

  it('an unreachable engine is unavailable and transient (the walker retries it)', async () => {
    await expect(connect('unix:///run/cluster-test/nothing-here.sock').facts()).rejects.toMatchObject({ kind: 'unavailable', transient: true });
    await expect(connect('tcp://127.0.0.1:1').facts()).rejects.toMatchObject({ kind: 'unavailable', transient: true });
  });

  it('ensureImage: present; missing without a source → clear message; missing with a source → copied', async () => {
    expect(await engine.ensureImage('busybox:latest')).toBe('present');
    await expect(engine.ensureImage('enginetest-missing:1')).rejects.toThrow(/enginetest-missing:1 is not on .* and cannot be pulled/);

    // A "source engine" holding the image: its tar is busybox re-tagged, exported, then untagged here.
    const tag = 'enginetest-copy:1';
    images.push(tag);
    await engine.docker.getImage('busybox:latest').tag({ repo: 'enginetest-copy', tag: '1' });
    const chunks: Buffer[] = [];
    for await (const chunk of (await engine.exportImage(tag)) as AsyncIterable<Buffer>) chunks.push(chunk);
    const tar = Buffer.concat(chunks);
    await engine.docker.getImage(tag).remove({ noprune: true });
    expect((await engine.facts()).images.some((i) => i.tags.includes(tag))).toBe(false);

    const exported: string[] = [];
    const source: Pick<Engine, 'url' | 'ensureImage' | 'exportImage'> = {
      url: 'test://source',
      ensureImage: async () => 'present',
      exportImage: async (image) => {
        exported.push(image);
        return Readable.from([tar]);
      },
    };
    expect(await engine.ensureImage(tag, source as Engine)).toBe('copied');
    expect(exported).toEqual([tag]);
    expect((await engine.facts()).images.some((i) => i.tags.includes(tag))).toBe(true);

    // A source that lacks the image too: the message says so.
    const empty = { ...source, ensureImage: async () => Promise.reject(new Error('not there either')) };
    await expect(engine.ensureImage('enginetest-missing:2', empty as unknown as Engine)).rejects.toThrow(/cannot be pulled .*host engine does not have it either/);
  });

  it('importImage of something that is not an image tar rejects with the engine’s reason', async () => {
    await expect(engine.importImage(Readable.from([Buffer.from('not a tar '.repeat(200))]))).rejects.toThrow(/image load failed: .*tar/);
  });
});
