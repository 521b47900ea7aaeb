// "Already part of a swarm" is compared, never taken for success (issue 13 point 3d): a join whose
// machine is a manager of ANOTHER swarm (another cluster id than the leader's) fails and says what to
// do; the same machine after it left joins. The sim answers a join of a member as dockerd does
// ("This node is already part of a swarm", daemon/cluster/swarm.go Join).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { computePlan, openSession } from '../../src/cli/pipeline.js';
import { loadManifest } from '../../src/manifest/index.js';
import { ActionRunner } from '../../src/reconcile/actions.js';

test('swarm.join of a machine that manages another swarm fails with both cluster ids and the way out; after it left, it joins', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-other-swarm-'));
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, 'name: other\nmachines:\n  m1: { driver: sim, role: manager }\n  m2: { driver: sim, role: manager }\n');
  const r = loadManifest(file, { env: {} });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  const s = await openSession(r.desired);
  try {
    const { plan } = computePlan(r.desired, s.observation);
    const runner = new ActionRunner(r.desired, s.observation.observed, s.drivers, s.observation.records);
    for (const a of plan.actions) if (a.kind !== 'swarm.join') await runner.run(a);
    // Someone ran `docker swarm init` on m2 by hand before the join.
    const m2 = s.drivers.get('sim')!.engine(s.observation.records.get('m2')!);
    await m2.swarmInit('10.0.0.2');
    const join2 = plan.actions.find((a) => a.id === 'swarm.join:m2')!;
    const own = (await m2.facts()).swarm.clusterId;
    const theirs = (await s.drivers.get('sim')!.engine(s.observation.records.get('m1')!).facts()).swarm.clusterId;
    expect(own).not.toBe(theirs);
    await expect(runner.run(join2)).rejects.toThrow(`m2 is part of another swarm (cluster ${own}, not ${theirs} that m1 leads): run \`cluster ssh m2 -- docker swarm leave --force\``);
    await m2.swarmLeave(true);
    await runner.run(join2);
    expect((await m2.facts()).swarm).toMatchObject({ state: 'active', role: 'manager', clusterId: theirs });
  } finally {
    await s.close();
  }
});
