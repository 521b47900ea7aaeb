// `watch --drift report` through the real binary on the sim driver (Argo CD's auto-sync with self-heal
// off): a container stopped behind the tool's back (the sim state file edited, as a person's `docker
// stop` would change the engine) is reported with the plan that would correct it and left as it is;
// a manifest edit is still applied, without correcting the drift.
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { background, type Background } from '../support/background.js';
import { cluster } from '../support/cli.js';

const manifest = (scale: number) => `name: dr
machines:
  m: { driver: sim, count: 2, cpus: 2, memory: 4GiB }
services:
  bird:
    image: busybox
    scale: ${scale}
`;

interface SimMachine {
  containers: { name: string[]; state: string[] };
}

/** Stops a container as `docker stop` would, by rewriting the sim state file atomically (as the tool writes it). */
function stopByHand(dir: string, name: string): void {
  const file = join(dir, '.cluster', 'dr.sim.json');
  const state = JSON.parse(readFileSync(file, 'utf8')) as { machines: SimMachine[] };
  const m = state.machines.find((x) => x.containers.name.includes(name))!;
  m.containers.state[m.containers.name.indexOf(name)] = 'exited';
  writeFileSync(`${file}.edit`, JSON.stringify(state));
  renameSync(`${file}.edit`, file);
}

function states(dir: string): Record<string, string> {
  const r = cluster(['status', '--json', '-f', join(dir, 'cluster.yml')], { cwd: dir });
  if (r.code !== 0) throw new Error(`status failed (${r.code}): ${r.stderr}`);
  const s = JSON.parse(r.stdout) as { containers: { name: string; state: string }[] };
  return Object.fromEntries(s.containers.map((c) => [c.name, c.state]));
}

let watcher: Background | undefined;
afterEach(async () => {
  await watcher?.stop('SIGKILL');
});

test('drift is reported and left; a manifest edit is applied without correcting it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-drift-'));
  writeFileSync(join(dir, 'cluster.yml'), manifest(2));
  watcher = background(['watch', '--drift', 'report', '--interval', '1'], { cwd: dir });
  await watcher.waitFor(/converged in/);
  expect(states(dir)).toEqual({ 'dr-bird-1': 'running', 'dr-bird-2': 'running' });

  stopByHand(dir, 'dr-bird-2');
  await watcher.waitFor(/periodic re-observe: drift found, not corrected \(--drift report\); correcting it would take: Plan: 0 to add, 1 to change, 0 to destroy\./);
  // The plan follows on stdout, the line above is on stderr: two pipes, read in no set order (CI once
  // checked the output between the two).
  await watcher.waitFor(/~ +start bird #2 dr-bird-2 on m-2 \(container is exited\)/);
  const afterReport = watcher.output().slice(watcher.output().indexOf('converged in')); // what came after the first run
  expect(afterReport).toMatch(/~ +start bird #2 dr-bird-2 on m-2 \(container is exited\)/); // the plan of the drift, as `cluster plan` prints it
  expect(states(dir)['dr-bird-2']).toBe('exited');

  // Re-observes keep running (one a second) until the edit's run; none corrects the drift, none says it again.
  writeFileSync(join(dir, 'cluster.yml'), manifest(3));
  await watcher.waitFor(/converged in/, 30_000, 2);
  expect(states(dir)).toEqual({ 'dr-bird-1': 'running', 'dr-bird-2': 'exited', 'dr-bird-3': 'running' });
  expect(watcher.output()).toContain('--drift report: 1 correction of drift left undone');
  expect(watcher.output().match(/drift found/g)).toHaveLength(1);
  expect(await watcher.stop('SIGINT')).toBe(130);
});

test('--json: the drift is one `drift` event carrying its plan; `correct` (the default) repairs it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-drift-'));
  writeFileSync(join(dir, 'cluster.yml'), manifest(2));
  watcher = background(['apply', '--watch', '--drift', 'report', '--json', '--interval', '1'], { cwd: dir });
  await watcher.waitFor(/converged in/);
  stopByHand(dir, 'dr-bird-1');
  await watcher.waitFor(/"type":"drift"/);
  const event = watcher
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string; corrected?: boolean; why?: string; plan?: { actions: { id: string; cause: string }[] } })
    .find((e) => e.type === 'drift')!;
  expect(event).toMatchObject({ corrected: false, why: 'periodic re-observe' });
  expect(event.plan!.actions.map((a) => [a.id, a.cause])).toEqual([['container.start:bird:1', 'stopped']]);
  expect(await watcher.stop('SIGINT')).toBe(130);

  // The default mode on the same drift: corrected.
  watcher = background(['watch', '--interval', '1'], { cwd: dir });
  await watcher.waitFor(/converged in/);
  expect(states(dir)['dr-bird-1']).toBe('running');
  expect(await watcher.stop('SIGINT')).toBe(130);
});

test('--drift report without watch is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-drift-'));
  writeFileSync(join(dir, 'cluster.yml'), manifest(1));
  const r = cluster(['apply', '--auto-approve', '--drift', 'report'], { cwd: dir });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('--drift report is a watch mode');
});
