// Issue 13, point 1 on a real engine: two checkouts of one cluster (two folders, same `name:`) on one
// engine through the generic driver, as two clones of one example on a developer's engine. Each apply
// labels what it makes with its folder's identity (io.cluster.id, .cluster/<cluster>.identity); each
// plan afterwards says the other's objects belong to another checkout and changes nothing of theirs;
// destroying one leaves the other running; `--adopt` in a third folder takes the survivor's over.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `idt${process.pid}`;
const host = dockerodeFor(DOCKER_HOST);

function checkout(services: string): { dir: string; run: (...args: string[]) => ReturnType<typeof clusterAsync>; identity: () => string } {
  const dir = mkdtempSync(join(tmpdir(), 'cl-identity-'));
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, `name: ${NAME}\nmachines:\n  host1:\n    driver: generic\n    url: ${DOCKER_HOST}\n${services}`);
  return {
    dir,
    run: (...args) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST: undefined }, timeoutMs: 120_000 }),
    identity: () => readFileSync(join(dir, '.cluster', `${NAME}.identity`), 'utf8').trim(),
  };
}

const sleeper = (name: string, scale: number) => `  ${name}:\n    image: busybox:latest\n    command: [sleep, "600"]\n    scale: ${scale}\n`;

async function containers(): Promise<{ name: string; id: string; state: string; checkout: string }[]> {
  const found = await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`, 'io.cluster.service'] } });
  return found.map((c) => ({ name: c.Names[0]!.slice(1), id: c.Id, state: c.State, checkout: c.Labels['io.cluster.id'] ?? '' })).sort((a, b) => (a.name < b.name ? -1 : 1));
}

describe('two checkouts of one cluster on one engine', () => {
  afterAll(async () => {
    for (const c of await host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getContainer(c.Id).remove({ force: true });
    for (const n of await host.listNetworks({ filters: { label: [`io.cluster.name=${NAME}`] } })) await host.getNetwork(n.Id).remove().catch(() => undefined);
  });

  test('both apply; each plan leaves the other alone; destroy of one keeps the other; --adopt takes it over', async () => {
    const a = checkout(`networks:\n  back: {}\nservices:\n${sleeper('alpha', 2).replace('scale: 2\n', 'scale: 2\n    networks: [back]\n')}`);
    const b = checkout(`services:\n${sleeper('beta', 1)}`);
    for (const c of [a, b]) {
      const r = await c.run('apply', '--auto-approve');
      expect(r.code, r.stderr + r.stdout).toBe(0);
    }
    const [idA, idB] = [a.identity(), b.identity()];
    expect(idA).not.toBe(idB);
    expect((await containers()).map((c) => `${c.name} ${c.state} ${c.checkout}`)).toEqual([`${NAME}-alpha-1 running ${idA}`, `${NAME}-alpha-2 running ${idA}`, `${NAME}-beta-1 running ${idB}`]);
    const [net] = await host.listNetworks({ filters: { name: [`${NAME}_back`] } });
    expect(net?.Labels?.['io.cluster.id']).toBe(idA);

    // Before identities, b's plan removed alpha (not in its manifest) and a's removed beta.
    const planA = await a.run('plan', '--detailed-exitcode');
    expect(planA.code, planA.stdout + planA.stderr).toBe(0);
    expect(planA.stdout).toContain(`1 container on machine host1 belongs to another checkout of cluster "${NAME}" (id ${idB.slice(0, 12)}…): left alone; \`--adopt\` takes them over`);
    const planB = await b.run('plan', '--detailed-exitcode');
    expect(planB.code, planB.stdout + planB.stderr).toBe(0);
    expect(planB.stdout).toContain(`2 containers and 1 network on machine host1 belong to another checkout of cluster "${NAME}" (id ${idA.slice(0, 12)}…)`);
    const status = JSON.parse((await b.run('status', '--json')).stdout) as { containers: { name: string }[] };
    expect(status.containers.map((c) => c.name)).toEqual([`${NAME}-beta-1`]);

    const destroyed = await a.run('destroy', '--auto-approve');
    expect(destroyed.code, destroyed.stderr + destroyed.stdout).toBe(0);
    const beta = (await containers()).map((c) => `${c.name} ${c.state} ${c.checkout}`);
    expect(beta).toEqual([`${NAME}-beta-1 running ${idB}`]);
    expect(await host.listNetworks({ filters: { name: [`${NAME}_back`] } })).toEqual([]);
    const betaId = (await containers())[0]!.id;

    // A third folder (a fresh clone) takes b's objects over: its replica 1 is b's, kept; replica 2 is new.
    const c = checkout(`services:\n${sleeper('beta', 2)}`);
    const adoptPlan = await c.run('plan', '--adopt');
    expect(adoptPlan.code, adoptPlan.stderr).toBe(0);
    expect(adoptPlan.stdout).toContain(`--adopt: this folder takes over the objects of checkout ${idB}`);
    expect(adoptPlan.stdout).not.toContain(`${NAME}-beta-1`);
    expect(adoptPlan.stdout).toContain(`${NAME}-beta-2`);
    const adopted = await c.run('apply', '--adopt', '--auto-approve');
    expect(adopted.code, adopted.stderr + adopted.stdout).toBe(0);
    expect(c.identity()).toBe(idB);
    expect((await containers()).map((x) => `${x.name} ${x.state} ${x.checkout}`)).toEqual([`${NAME}-beta-1 running ${idB}`, `${NAME}-beta-2 running ${idB}`]);
    expect((await containers())[0]!.id).toBe(betaId);
    expect((await c.run('plan', '--detailed-exitcode')).code).toBe(0);

    // One more clone running the same service: the replica names are taken by another checkout; its
    // apply fails saying so, and takes nothing over.
    const d = checkout(`services:\n${sleeper('beta', 1)}`);
    const clash = await d.run('apply', '--auto-approve');
    expect(clash.code).toBe(1);
    expect(clash.stderr + clash.stdout).toContain(`container name ${NAME}-beta-1 is taken on host1 by another checkout of cluster "${NAME}" (id ${idB.slice(0, 12)}…)`);
    expect((await containers()).map((x) => `${x.id} ${x.state}`)).toEqual((await containers()).map((x) => `${x.id} running`));
    expect((await containers())[0]!.id).toBe(betaId);

    expect((await c.run('destroy', '--auto-approve')).code).toBe(0);
    expect(await containers()).toEqual([]);
  });
});
