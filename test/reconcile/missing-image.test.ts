// Recovery decided on the error's kind: a create that finds its image gone (404 "No such image", as
// dockerd says when someone pruned it after image.ensure ran) fetches the image again and creates.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { computePlan, openSession } from '../../src/cli/pipeline.js';
import { loadManifest } from '../../src/manifest/index.js';
import { ActionRunner } from '../../src/reconcile/actions.js';

test('container.create without its image: the image is ensured, then the container is created', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-missing-image-'));
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, 'name: noimage\nmachines:\n  m1: { driver: sim, cpus: 2, memory: 2GiB }\nservices:\n  web: { image: busybox, scale: 1 }\n');
  const r = loadManifest(file, { env: {} });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  const s = await openSession(r.desired);
  try {
    const { plan } = computePlan(r.desired, s.observation);
    expect(plan.actions.map((a) => a.kind)).toContain('image.ensure');
    const runner = new ActionRunner(r.desired, s.observation.observed, s.drivers, s.observation.records);
    // In dependency order, leaving out image.ensure: the engine answers the create with notFound.
    for (const a of plan.actions) if (a.kind !== 'image.ensure') await runner.run(a);
  } finally {
    await s.close();
  }
  const again = await openSession(r.desired);
  try {
    const m1 = again.observation.observed.machines.find((m) => m.name === 'm1')!;
    expect(m1.engine?.containers.map((c) => [c.name, c.state])).toEqual([['noimage-web-1', 'running']]);
    expect(m1.engine?.images.some((i) => i.tags.some((t) => t.startsWith('busybox')))).toBe(true);
  } finally {
    await again.close();
  }
});
