// Sealed saved plans on real engines (the generic driver adopting the private dockerd, and a
// docker-driver machine): an edited plan file, digests kept or computed again, is refused with exit 1
// and every container and network of the cluster exactly as before (same ids, same states), no lock
// left; the untouched plan then applies.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { planDigest, type SavedPlan } from '../../src/plan/saved.js';
import type { Action } from '../../src/plan/types.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `sealed${process.pid}`;
const host = dockerodeFor(DOCKER_HOST);
const manifest = (scale: number) =>
  `name: ${NAME}\nmachines:\n  host1:\n    driver: generic\n    url: ${DOCKER_HOST}\nservices:\n  web:\n    image: busybox:latest\n    command: [sleep, "600"]\n    scale: ${scale}\n`;

/** What "nothing changed" means on the engine: this cluster's containers and networks, ids and states. */
async function engineState(): Promise<string[]> {
  const containers = await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`] } });
  const networks = await host.listNetworks();
  return [
    ...containers.map((c) => `${c.Names[0]} ${c.Id} ${c.State}`),
    ...networks.filter((n) => n.Name.startsWith(NAME)).map((n) => `network ${n.Name} ${n.Id}`),
  ].sort();
}

describe('saved plans on a real engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cl-sealed-'));
  const file = join(dir, 'cluster.yml');
  const run = (...args: string[]) => clusterAsync(args, { cwd: dir, env: { DOCKER_HOST: undefined }, timeoutMs: 120_000 });

  afterAll(async () => {
    for (const c of await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getContainer(c.Id).remove({ force: true });
  });

  test('a tampered plan is refused with nothing changed; the untouched one applies', async () => {
    writeFileSync(file, manifest(2));
    expect((await run('apply', '--auto-approve')).code).toBe(0);
    writeFileSync(file, manifest(3));
    const saved = join(dir, 'up.plan');
    const p = await run('plan', '-o', saved);
    expect(p.code, p.stderr).toBe(0);
    const original = JSON.parse(readFileSync(saved, 'utf8')) as SavedPlan;
    expect(original.plan.actions.map((a) => a.id)).toEqual(['container.create:web:3']);
    const web1 = (await host.listContainers({ filters: { name: [`${NAME}-web-1`] } }))[0]!;

    const edited = (name: string, edit: (s: SavedPlan) => void, reseal: boolean) => {
      const s = structuredClone(original);
      edit(s);
      if (reseal) s.plan_digest = planDigest(s.plan);
      writeFileSync(join(dir, name), JSON.stringify(s));
      return join(dir, name);
    };
    const removal: Action = { id: 'container.remove:web:1', kind: 'container.remove', after: [], cause: 'not-in-manifest', machine: 'host1', service: 'web', replica: 1, name: `${NAME}-web-1`, containerId: web1.Id };
    const tampered = [
      edited('kept.plan', (s) => s.plan.actions.push(removal), false),
      edited('resealed.plan', (s) => s.plan.actions.push(removal), true),
      edited('fifty.plan', (s) => Object.assign(s.plan.actions[0]!, { replica: 50, name: `${NAME}-web-50` }), true),
    ];
    const before = await engineState();
    expect(before).toHaveLength(2);
    for (const f of tampered) {
      const r = await run('apply', f);
      expect(r.code, f).toBe(1);
      expect(r.stderr, f).toMatch(/refused: .*nothing was changed/);
      expect(r.stderr, f).toMatch(/action container\.(remove:web:1 is in the saved plan but not in a fresh plan|create:web:3: "replica" is 50)/);
      expect(await engineState(), f).toEqual(before);
    }

    const ok = await run('apply', saved);
    expect(ok.code, ok.stderr).toBe(0);
    const after = await engineState();
    expect(after).toHaveLength(3);
    expect(after.filter((line) => before.includes(line))).toEqual(before); // web-1 and web-2 untouched
    expect((await run('apply', saved)).stderr).toMatch(/stale/);
    expect(await engineState()).toEqual(after);
  });
});

// The default driver: the machine is a Docker-in-Docker container; the tamper was a removal of it.
describe('saved plans on docker-driver machines', () => {
  const DNAME = `sealedd${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'cl-sealed-docker-'));
  const file = join(dir, 'cluster.yml');
  const run = (...args: string[]) => clusterAsync(args, { cwd: dir, env: { DOCKER_HOST }, timeoutMs: 300_000 });
  const yml = (scale: number) => `name: ${DNAME}\nmachines:\n  m1:\n    driver: docker\n    role: manager\nservices:\n  web:\n    image: busybox:latest\n    command: [sleep, "600"]\n    scale: ${scale}\n`;
  /** The machine container on the host and every container inside it, with ids and states. */
  const state = async () => {
    const machines = await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${DNAME}`] } });
    const status = JSON.parse((await run('status', '--json')).stdout) as { containers: { name: string; id: string; state: string }[] };
    return [...machines.map((c) => `${c.Names[0]} ${c.Id} ${c.State}`), ...status.containers.map((c) => `${c.name} ${c.id} ${c.state}`)].sort();
  };

  afterAll(async () => {
    await run('destroy', '--auto-approve');
    for (const c of await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${DNAME}`] } })) await host.getContainer(c.Id).remove({ force: true, v: true });
    for (const n of await host.listNetworks({ filters: { label: [`io.cluster.name=${DNAME}`] } })) await host.getNetwork(n.Id).remove().catch(() => undefined);
  });

  test('a machine.remove added to the plan is refused with the machine and its containers unchanged', async () => {
    writeFileSync(file, yml(1));
    const first = await run('apply', '--auto-approve');
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(file, yml(2));
    const saved = join(dir, 'up.plan');
    expect((await run('plan', '-o', saved)).code).toBe(0);
    const s = JSON.parse(readFileSync(saved, 'utf8')) as SavedPlan;
    s.plan.actions.push({ id: 'machine.remove:m1', kind: 'machine.remove', after: [], cause: 'not-in-manifest', machine: 'm1' });
    writeFileSync(join(dir, 'kept.plan'), JSON.stringify(s));
    s.plan_digest = planDigest(s.plan);
    writeFileSync(join(dir, 'resealed.plan'), JSON.stringify(s));
    const before = await state();
    expect(before).toHaveLength(2);
    for (const f of ['kept.plan', 'resealed.plan']) {
      const r = await run('apply', join(dir, f));
      expect(r.code, f).toBe(1);
      expect(r.stderr, f).toMatch(/action machine\.remove:m1 is in the saved plan but not in a fresh plan/);
      expect(await state(), f).toEqual(before);
    }
    const ok = await run('apply', saved);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await state()).toHaveLength(3);
  });
});
