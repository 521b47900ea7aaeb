// classic Swarm read three directives from a container's environment (cluster/config.go):
// constraint:, affinity: and reschedule:. The first two place replicas; reschedule: has no per-service
// meaning here (a silent machine's replicas move after --unreachable-grace for every service), so it
// is said as a warning at its line and never passed to the container as a variable.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loadManifest } from '../../src/manifest/index.js';

test('reschedule:on-node-failure is warned about at its line and not sent to the container', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cl-classic-'));
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, 'name: rs\nmachines:\n  m1: { driver: sim }\nservices:\n  web:\n    image: busybox\n    environment:\n      - reschedule:on-node-failure\n      - constraint:node==m1\n      - A=1\n');
  const r = loadManifest(file);
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  expect(r.warnings.map((w) => `${w.line}:${w.col} ${w.message.slice(0, 60)}`)).toEqual(['8:9 reschedule:on-node-failure is classic Swarm\'s rescheduling p']);
  const web = r.desired.services[0]!;
  expect(web.spec.environment).toEqual({ A: '1' });
  expect(web.placement.constraints.map((c) => c.text)).toEqual(['node==m1']);
});
