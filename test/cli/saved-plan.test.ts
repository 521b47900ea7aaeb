// Sealed saved plans through the real binary on the sim driver: an edited, cyclic, stale or
// contradicted plan file is refused with exit 1 and the cluster's state files byte-identical;
// an untouched one applies.
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { planDigest, type SavedPlan } from '../../src/plan/saved.js';
import type { Action } from '../../src/plan/types.js';
import { cluster } from '../support/cli.js';

const example = readFileSync(join(import.meta.dirname, '../../cluster.example.yml'), 'utf8').replaceAll('driver: docker', 'driver: sim');

describe('apply of a saved plan (sim)', () => {
  let dir: string;
  let up: string; // the plan of scale 10 → 12, as `plan -o` wrote it
  const run = (...args: string[]) => cluster(args, { cwd: dir, timeoutMs: 30_000 });
  /** Every file of the cluster's state folder, by name: what "nothing changed" is checked against. */
  const state = () => Object.fromEntries(readdirSync(join(dir, '.cluster')).map((f) => [f, readFileSync(join(dir, '.cluster', f), 'utf8')]));
  const tampered = (name: string, edit: (s: SavedPlan) => void, reseal = false): string => {
    const s = JSON.parse(readFileSync(up, 'utf8')) as SavedPlan;
    edit(s);
    if (reseal) s.plan_digest = planDigest(s.plan);
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(s, null, 2));
    return file;
  };
  const refusedUnchanged = (planFile: string, ...args: string[]) => {
    const before = state();
    const r = run('apply', ...args, planFile);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/nothing was changed/);
    expect(r.stdout).not.toMatch(/Apply complete/);
    expect(state()).toEqual(before);
    expect(readdirSync(join(dir, '.cluster')).filter((f) => f.includes('lock'))).toEqual([]);
    return r.stderr;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cluster-saved-'));
    writeFileSync(join(dir, 'cluster.yml'), example);
    expect(run('apply', '--auto-approve').code).toBe(0);
    writeFileSync(join(dir, 'cluster.yml'), example.replace('scale: 10', 'scale: 12'));
    up = join(dir, 'up.plan');
    const p = run('plan', '-o', up);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/Plan: 2 to add, 0 to change, 0 to destroy\./);
  });

  test('removals of db and worker-2 added to the plan, digests kept: refused, naming them', () => {
    const file = tampered('more.plan', (s) => {
      const db = s.plan.actions.find((a) => a.kind === 'container.create') as Extract<Action, { kind: 'container.create' }>;
      s.plan.actions.push(
        { id: 'container.remove:db:1', kind: 'container.remove', after: [], cause: 'not-in-manifest', machine: 'worker-2', service: 'db', replica: 1, name: 'demo-db-1', containerId: db.name },
        { id: 'machine.remove:worker-2', kind: 'machine.remove', after: ['container.remove:db:1'], cause: 'not-in-manifest', machine: 'worker-2' },
      );
    });
    const err = refusedUnchanged(file);
    expect(err).toMatch(/edited after it was saved/);
    expect(err).toMatch(/action container\.remove:db:1 is in the saved plan but not in a fresh plan/);
    expect(err).toMatch(/action machine\.remove:worker-2 is in the saved plan but not in a fresh plan/);
  });

  test('replica 50 of a 12-replica service, digest computed again: refused, naming the field', () => {
    const file = tampered(
      'fifty.plan',
      (s) => Object.assign(s.plan.actions.find((a) => a.id === 'container.create:bird:12')!, { replica: 50, name: 'demo-bird-50' }),
      true,
    );
    const err = refusedUnchanged(file);
    expect(err).toMatch(/is not the plan its manifest and the cluster give/);
    expect(err).toMatch(/action container\.create:bird:12: "replica" is 50 in the saved plan but 12 in a fresh plan/);
  });

  test('a cyclic plan is refused at once, says so, and leaves no lock', () => {
    const file = tampered(
      'cycle.plan',
      (s) => {
        const [a, b] = s.plan.actions;
        a!.after.push(b!.id);
        b!.after.push(a!.id);
      },
      true,
    );
    const t0 = Date.now();
    const err = refusedUnchanged(file);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(err).toMatch(/actions wait for each other in a cycle/);
  });

  test('malformed: an unknown kind, a dangling after, not JSON, an older format', () => {
    const bad = tampered('bad.plan', (s) => {
      (s.plan.actions[0] as { kind: string }).kind = 'container.nuke';
      s.plan.actions[1]!.after.push('machine.create:ghost');
    });
    const err = refusedUnchanged(bad);
    expect(err).toMatch(/unknown kind "container\.nuke"/);
    expect(err).toMatch(/waits for machine\.create:ghost, which is not in the plan/);
    writeFileSync(join(dir, 'half.plan'), readFileSync(up, 'utf8').slice(0, 200));
    expect(run('apply', join(dir, 'half.plan')).stderr).toMatch(/is not JSON/);
    const old = tampered('old.plan', (s) => ((s as { format_version: string }).format_version = '1.0'));
    expect(refusedUnchanged(old)).toMatch(/format_version "1\.0".*\n.*hint: make a new one with `cluster plan -o FILE`/);
  });

  test('-f naming another manifest, or another --target, is refused; the same -f is not', () => {
    writeFileSync(join(dir, 'other.yml'), example);
    expect(refusedUnchanged(up, '-f', 'other.yml')).toMatch(/-f .*other\.yml is not the manifest the plan was made from \(.*cluster\.yml\)/);
    expect(refusedUnchanged(up, '--target', 'service.web')).toMatch(/--target service\.web is not what the plan was made with \(none\)/);
  });

  test('the untouched plan applies (with the same -f, here through a symlink); applied again it is stale and refused', () => {
    symlinkSync(join(dir, 'cluster.yml'), join(dir, 'link.yml'));
    const r = run('apply', '-f', 'link.yml', up);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Apply complete: 2 actions/);
    const birds = JSON.parse(run('status', '--json').stdout).containers.filter((c: { service: string }) => c.service === 'bird');
    expect(birds.map((c: { replica: number }) => c.replica)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(refusedUnchanged(up)).toMatch(/stale: the cluster changed since the plan was saved/);
  });
});
