// The simulated engine: images, the container lifecycle with Docker's answers, facts, a stopped machine.
import { describe, expect, it } from 'vitest';
import { isTransient } from '../../src/engine/errors.js';
import { LABEL } from '../../src/model/observed.js';
import { seedSimState, SimDriver, simStatePath, writeSimState } from '../../src/providers/sim/driver.js';
import { context, machine, manifestDir, replicaRequest, spec } from './support.js';

async function oneMachine(name = 'm1') {
  const driver = new SimDriver(context(await manifestDir()));
  const record = await driver.create(machine(name));
  return { driver, record, engine: driver.engine(record) };
}

describe('sim engine: images', () => {
  it('pulls once, then reports present; busybox means busybox:latest', async () => {
    const { engine } = await oneMachine();
    expect(await engine.ensureImage('busybox')).toBe('pulled');
    expect(await engine.ensureImage('busybox:latest')).toBe('present');
    expect((await engine.facts()).images).toEqual([{ id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), tags: ['busybox:latest'] }]);
  });

  it('an image tagged :missing cannot be pulled (not transient), but can be copied from an engine that has it', async () => {
    const { driver, engine } = await oneMachine();
    const err = await engine.ensureImage('acme/app:missing').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'notFound', status: 404, message: expect.stringContaining('pull access denied for acme/app') });
    expect(isTransient(err)).toBe(false);
    expect((await engine.facts()).images).toEqual([]);

    const other = await driver.create(machine('m2'));
    await expect(engine.ensureImage('acme/app:missing', driver.engine(other))).rejects.toThrow(/pull access denied/);
    // A host that has the image (built there, say): seeded with a container that uses it.
    const hostDir = await manifestDir();
    const host = seedSimState('demo', [machine('host')], [{ machine: 'host', request: replicaRequest('app', 1, spec({ image: 'acme/app:missing' })) }]);
    await writeSimState(simStatePath(hostDir, 'demo'), host);
    const hostDriver = new SimDriver(context(hostDir));
    const sourceEngine = hostDriver.engine((await hostDriver.list())[0]!);
    expect(await engine.ensureImage('acme/app:missing', sourceEngine)).toBe('copied');
    expect(await engine.ensureImage('acme/app:missing')).toBe('present');
  });
});

describe('sim engine: containers', () => {
  it('create → created, start → running, start again is success, remove twice is success', async () => {
    const { engine } = await oneMachine();
    await engine.ensureImage('nginx:1.25');
    const id = await engine.createContainer(replicaRequest('web', 3));
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await engine.facts()).containers[0]!.state).toBe('created');
    await engine.startContainer(id);
    await engine.startContainer(id);
    await engine.startContainer('demo-web-3'); // by name, as Docker allows
    await engine.startContainer(id.slice(0, 12)); // by short id
    expect((await engine.facts()).containers[0]!.state).toBe('running');
    await engine.removeContainer(id);
    await engine.removeContainer(id);
    expect((await engine.facts()).containers).toEqual([]);
  });

  it('a taken name rejects with 409 like Docker, naming the holder', async () => {
    const { engine } = await oneMachine();
    await engine.ensureImage('nginx:1.25');
    const id = await engine.createContainer(replicaRequest('web', 1));
    const err = await engine.createContainer(replicaRequest('web', 1)).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'conflict', status: 409, message: expect.stringContaining(`"/demo-web-1" is already in use by container "${id}"`) });
    expect(isTransient(err)).toBe(false);
    expect((await engine.facts()).containers).toHaveLength(1);
  });

  it('create without the image is a 404; starting a missing container is a 404', async () => {
    const { engine } = await oneMachine();
    await expect(engine.createContainer(replicaRequest('web', 1))).rejects.toMatchObject({ kind: 'notFound', status: 404, message: 'No such image: nginx:1.25' });
    await expect(engine.startContainer('nope')).rejects.toMatchObject({ kind: 'notFound', status: 404 });
  });

  it('a published port held by a running container fails the second start', async () => {
    const { engine } = await oneMachine();
    await engine.ensureImage('nginx:1.25');
    const web = spec({ ports: [{ target: 80, published: 80, protocol: 'tcp' }] });
    await engine.startContainer(await engine.createContainer(replicaRequest('web', 1, web)));
    const second = await engine.createContainer(replicaRequest('web', 2, web));
    await expect(engine.startContainer(second)).rejects.toThrow(/Bind for 0.0.0.0:80 failed: port is already allocated/);
  });

  it('ports on different host addresses run side by side; one on all interfaces clashes with them (as dockerd binds)', async () => {
    const { engine } = await oneMachine();
    await engine.ensureImage('nginx:1.25');
    const on = (hostIp?: string) => spec({ ports: [{ target: 80, published: 8080, protocol: 'tcp', ...(hostIp ? { hostIp } : {}) }] });
    await engine.startContainer(await engine.createContainer(replicaRequest('one', 1, on('127.0.0.1'))));
    await engine.startContainer(await engine.createContainer(replicaRequest('two', 1, on('127.0.0.2'))));
    await expect(engine.startContainer(await engine.createContainer(replicaRequest('again', 1, on('127.0.0.1'))))).rejects.toThrow(/Bind for 127.0.0.1:8080 failed: port is already allocated/);
    await expect(engine.startContainer(await engine.createContainer(replicaRequest('all', 1, on())))).rejects.toThrow(/Bind for 0.0.0.0:8080 failed/);
    const ports = (await engine.facts()).containers.filter((c) => c.state === 'running').map((c) => c.ports);
    expect(ports).toEqual([[{ published: 8080, protocol: 'tcp', hostIp: '127.0.0.1' }], [{ published: 8080, protocol: 'tcp', hostIp: '127.0.0.2' }]]);
  });

  it('reports ports, reservations, labels and owner as the observe step expects', async () => {
    const { engine } = await oneMachine();
    await engine.ensureImage('nginx:1.25');
    const s = spec({
      labels: { tier: 'front' },
      ports: [
        { target: 80, published: 8080, protocol: 'tcp' },
        { target: 53, protocol: 'udp' },
      ],
      reservations: { cpus: 0.5, memory: 256 * 1024 ** 2 },
    });
    const req = replicaRequest('web', 7, s, 'abc123');
    const id = await engine.createContainer(req);
    await engine.createContainer({ name: 'stranger', spec: spec(), labels: { [LABEL.cluster]: 'other', [LABEL.service]: 'x', [LABEL.replica]: '1', [LABEL.configHash]: 'h' } });
    const [ours, theirs] = (await engine.facts()).containers;
    expect(JSON.parse(JSON.stringify(ours))).toEqual({
      id,
      name: 'demo-web-7',
      image: 'nginx:1.25',
      state: 'created',
      labels: { tier: 'front', ...req.labels },
      ports: [{ published: 8080, protocol: 'tcp' }],
      reservations: { cpus: 0.5, memory: 256 * 1024 ** 2 },
      owner: { cluster: 'demo', service: 'web', replica: 7, configHash: 'abc123' },
    });
    expect([ours!.id, ours!.labels[LABEL.replica]]).toEqual([id, '7']); // read directly, not through JSON
    expect(theirs!.owner).toBeUndefined(); // another cluster's labels are not ownership
    expect(theirs!.labels[LABEL.replica]).toBe('1');
  });
});

describe('sim engine: a stopped machine', () => {
  it('rejects every call with a non-transient "machine is stopped"; ping is false', async () => {
    const { driver, engine } = await oneMachine();
    await engine.ensureImage('nginx:1.25');
    await driver.stop('m1');
    expect(await engine.ping()).toBe(false);
    const calls = [
      engine.facts(),
      engine.ensureImage('nginx:1.25'),
      engine.createContainer(replicaRequest('web', 1)),
      engine.startContainer('x'),
      engine.removeContainer('x'),
      engine.swarmInit('10.0.0.1'),
      engine.swarmJoinTokens(),
      engine.swarmLeave(true),
      engine.swarmNodes(),
    ];
    for (const call of calls) {
      const err = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ message: expect.stringContaining('machine is stopped') });
      expect(isTransient(err)).toBe(false);
    }
    await driver.start('m1');
    expect(await engine.ping()).toBe(true);
  });

  it('the engine of a removed machine answers nothing', async () => {
    const { driver, engine } = await oneMachine();
    await driver.remove('m1');
    expect(await engine.ping()).toBe(false);
    await expect(engine.facts()).rejects.toMatchObject({ kind: 'notFound', status: 404 });
  });
});
