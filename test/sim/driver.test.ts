// The sim driver's machines and its state file: persistence across processes, idempotency, drift.
import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { SimDriver } from '../../src/providers/sim/driver.js';
import { context, machine, manifestDir, replicaRequest, spec } from './support.js';

const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

describe('sim driver: machines', () => {
  it('creates running machines with the manifest capacity, defaults 2 cpus and 2 GiB', async () => {
    const driver = new SimDriver(context(await manifestDir()));
    const big = await driver.create(machine('big', { cpus: 16, memory: 64 * 1024 ** 3, labels: { size: 'xxl' } }));
    await driver.create(machine('small'));
    expect(big).toMatchObject({ name: 'big', driver: 'sim', state: 'running', engineUrl: 'sim://demo/big' });
    expect(big.address).toMatch(/^10\.\d+\.\d+\.\d+$/);
    const facts = await driver.engine(big).facts();
    expect(facts).toMatchObject({ cpus: 16, memory: 64 * 1024 ** 3, labels: { size: 'xxl' }, operatingSystem: 'Simulated Linux', version: 'sim-1.0' });
    const small = await driver.engine((await driver.list())[1]!).facts();
    expect(small).toMatchObject({ cpus: 2, memory: 2 * 1024 ** 3 });
    expect((await driver.list()).map((m) => m.name)).toEqual(['big', 'small']);
    await driver.close();
  });

  it('create of an existing machine returns it as it is; remove of a missing one succeeds', async () => {
    const driver = new SimDriver(context(await manifestDir()));
    const first = await driver.create(machine('m1'));
    const engineId = (await driver.engine(first).facts()).id;
    await driver.stop('m1');
    const again = await driver.create(machine('m1', { cpus: 8 }));
    expect(again.state).toBe('stopped'); // create does not start: start() does
    expect(again.address).toBeUndefined();
    await driver.start('m1');
    const facts = await driver.engine(again).facts();
    expect(facts.id).toBe(engineId);
    expect(facts.cpus).toBe(2);
    await driver.remove('m1');
    await driver.remove('m1');
    await driver.remove('never-was');
    expect(await driver.list()).toEqual([]);
    await driver.close();
  });

  it('start and stop are idempotent; stopping exits containers, starting brings back restart=always ones', async () => {
    const driver = new SimDriver(context(await manifestDir()));
    const record = await driver.create(machine('m1'));
    const engine = driver.engine(record);
    await engine.ensureImage('nginx:1.25');
    for (const [replica, restart] of [[1, 'always'], [2, undefined]] as const) {
      await engine.startContainer(await engine.createContainer(replicaRequest('web', replica, spec(restart ? { restart } : {}))));
    }
    await driver.stop('m1');
    await driver.stop('m1');
    expect((await driver.list())[0]!.state).toBe('stopped');
    await driver.start('m1');
    await driver.start('m1');
    const states = (await engine.facts()).containers.map((c) => [c.name, c.state]);
    expect(states).toEqual([
      ['demo-web-1', 'running'],
      ['demo-web-2', 'exited'],
    ]);
    await driver.close();
  });

  it('replaces engine labels; unknown machines are a 404, not a silent success', async () => {
    const driver = new SimDriver(context(await manifestDir()));
    const record = await driver.create(machine('m1', { labels: { size: 'small', zone: 'a' } }));
    await driver.setEngineLabels('m1', { size: 'xxl' });
    expect((await driver.engine(record).facts()).labels).toEqual({ size: 'xxl' });
    await expect(driver.start('ghost')).rejects.toMatchObject({ kind: 'notFound', status: 404 });
    await expect(driver.setEngineLabels('ghost', {})).rejects.toMatchObject({ kind: 'notFound', status: 404 });
    await driver.close();
  });
});

describe('sim driver: state file', () => {
  it('a new driver on the same folder sees exactly what the last one applied', async () => {
    const dir = await manifestDir();
    const first = new SimDriver(context(dir));
    const manager = await first.create(machine('manager-1', { labels: { role: 'front' } }));
    const worker = await first.create(machine('worker-1', { cpus: 4 }));
    await first.create(machine('worker-2'));
    await first.stop('worker-2');
    const m = first.engine(manager);
    await m.ensureImage('nginx:1.25');
    await m.startContainer(await m.createContainer(replicaRequest('web', 1, spec({ ports: [{ target: 80, published: 8080, protocol: 'tcp' }] }))));
    await m.createContainer(replicaRequest('web', 2));
    await m.swarmInit('10.0.0.1');
    const w = first.engine(worker);
    await w.swarmJoin({ remoteAddrs: [`${manager.address}:2377`], token: (await m.swarmJoinTokens()).worker, advertiseAddr: worker.address! });
    await m.swarmNodeUpdate((await w.facts()).swarm.nodeId!, { labels: { size: 'small' } });
    const before = { list: await first.list(), manager: await m.facts(), worker: await w.facts(), nodes: await m.swarmNodes() };
    await first.close();

    const second = new SimDriver(context(dir));
    const list = await second.list();
    expect(list).toEqual(before.list);
    // As JSON: a simulated container builds its id and labels on demand, which toEqual does not read.
    expect(plain(await second.engine(list[0]!).facts())).toEqual(plain(before.manager));
    expect(plain(before.manager).containers.map((c: { id: string; labels: Record<string, string> }) => [c.id.length, c.labels['io.cluster.replica']])).toEqual([[64, '1'], [64, '2']]);
    expect(plain(await second.engine(list[1]!).facts())).toEqual(plain(before.worker));
    expect(await second.engine(list[0]!).swarmNodes()).toEqual(before.nodes);
    await second.close();
  });

  it('writes a versioned, simulation-labelled file under .cluster/', async () => {
    const dir = await manifestDir();
    const driver = new SimDriver(context(dir));
    await driver.create(machine('m1'));
    await driver.close();
    expect(driver.stateFile).toBe(`${dir}/.cluster/demo.sim.json`);
    const doc = JSON.parse(await readFile(driver.stateFile, 'utf8'));
    expect(doc).toMatchObject({ format: 2, simulated: true, cluster: 'demo', machines: [{ name: 'm1', state: 'running', cpus: 2 }] });
  });

  it('stores containers by column, and still reads format 1 (a row per container)', async () => {
    const dir = await manifestDir();
    const driver = new SimDriver(context(dir));
    const engine = driver.engine(await driver.create(machine('m1')));
    await engine.ensureImage('nginx:1.25');
    await engine.startContainer(await engine.createContainer(replicaRequest('web', 1)));
    await engine.createContainer(replicaRequest('web', 2));
    const before = plain(await engine.facts());
    await driver.close();
    const { writeFile } = await import('node:fs/promises');
    const doc = JSON.parse(await readFile(driver.stateFile, 'utf8'));
    const columns = doc.machines[0].containers;
    expect(columns).toMatchObject({ name: ['demo-web-1', 'demo-web-2'], state: ['running', 'created'], replica: [1, 2] });

    const rows = columns.serial.map((serial: number, i: number) => [serial, columns.name[i], columns.state[i], columns.template[i], columns.replica[i]]);
    await writeFile(driver.stateFile, JSON.stringify({ ...doc, format: 1, machines: [{ ...doc.machines[0], containers: rows }] }));
    const old = new SimDriver(context(dir));
    expect(plain(await old.engine((await old.list())[0]!).facts())).toEqual(before);
    await old.close();

    await writeFile(driver.stateFile, JSON.stringify({ ...doc, machines: [{ ...doc.machines[0], containers: { ...columns, state: ['running'] } }] }));
    await expect(new SimDriver(context(dir)).list()).rejects.toMatchObject({ message: expect.stringContaining('the containers of machine m1 are not five columns of one length') });
  });

  it('coalesces writes: a burst of changes is on disk shortly after, without close()', async () => {
    const dir = await manifestDir();
    const driver = new SimDriver(context(dir));
    await Promise.all(Array.from({ length: 50 }, (_, i) => driver.create(machine(`m${i}`))));
    // The write timer's own time, not a fixed sleep: on a loaded machine the timer fires late.
    await vi.waitFor(async () => expect(JSON.parse(await readFile(driver.stateFile, 'utf8')).machines).toHaveLength(50), { timeout: 10_000, interval: 20 });
    await driver.close();
  });

  it('the file always parses, even when read while writes are in flight', async () => {
    const dir = await manifestDir();
    const driver = new SimDriver(context(dir));
    const record = await driver.create(machine('m1'));
    const engine = driver.engine(record);
    await engine.ensureImage('nginx:1.25');
    let writing = true;
    const writer = (async () => {
      for (let i = 1; i <= 3000; i++) {
        await engine.createContainer(replicaRequest('web', i));
        if (i % 100 === 0) await driver.close(); // force a write now and then, on top of the timer's
      }
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const text = await readFile(driver.stateFile, 'utf8').catch(() => undefined);
      if (text !== undefined) {
        expect(() => JSON.parse(text)).not.toThrow();
        reads++;
      }
      await new Promise((r) => setImmediate(r));
    }
    await writer;
    await driver.close();
    expect(reads).toBeGreaterThan(10);
    expect(JSON.parse(await readFile(driver.stateFile, 'utf8')).machines[0].containers.serial).toHaveLength(3000);
  });

  it('sees drift made behind its back by another driver on the same file', async () => {
    const dir = await manifestDir();
    const tool = new SimDriver(context(dir));
    await tool.create(machine('m1'));
    const record = await tool.create(machine('m2'));
    const engine = tool.engine(record);
    await engine.ensureImage('nginx:1.25');
    const id = await engine.createContainer(replicaRequest('web', 1));
    await engine.startContainer(id);
    await tool.close();

    const intruder = new SimDriver(context(dir)); // another process: kills a container, stops a machine
    await intruder.engine(record).removeContainer(id);
    await intruder.stop('m1');
    await intruder.close();

    expect((await tool.list()).map((m) => [m.name, m.state])).toEqual([
      ['m1', 'stopped'],
      ['m2', 'running'],
    ]);
    expect((await engine.facts()).containers).toEqual([]);
    await tool.close();
  });

  it('keeps each cluster to its own file: another cluster in the same folder is never seen or touched', async () => {
    const dir = await manifestDir();
    const demo = new SimDriver(context(dir));
    const other = new SimDriver({ ...context(dir), cluster: 'other' });
    await demo.create(machine('m1'));
    await other.create(machine('m1'));
    await other.create(machine('m2'));
    await demo.remove('m2');
    await Promise.all([demo.close(), other.close()]);
    expect((await new SimDriver(context(dir)).list()).map((m) => m.name)).toEqual(['m1']);
    expect((await new SimDriver({ ...context(dir), cluster: 'other' }).list()).map((m) => m.name)).toEqual(['m1', 'm2']);
  });

  it('refuses a state file of another cluster or format, saying how to recover', async () => {
    const dir = await manifestDir();
    const driver = new SimDriver(context(dir));
    await driver.create(machine('m1'));
    await driver.close();
    const { writeFile } = await import('node:fs/promises');
    const doc = JSON.parse(await readFile(driver.stateFile, 'utf8'));
    await writeFile(driver.stateFile, JSON.stringify({ ...doc, format: 99 }));
    await expect(new SimDriver(context(dir)).list()).rejects.toMatchObject({
      message: expect.stringContaining('format is 99'),
      diagnostics: [expect.objectContaining({ hint: expect.stringContaining('delete the file') })],
    });
  });
});
