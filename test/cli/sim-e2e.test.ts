// The example cluster on the sim driver, end to end through the real binary: validate, plan twice
// (identical bytes), apply, no-op plan, scale down, saved plans, destroy.
import { spawnSync } from 'node:child_process';
import { readdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { cluster, clusterAsync } from '../support/cli.js';

const example = readFileSync(join(import.meta.dirname, '../../cluster.example.yml'), 'utf8').replaceAll('driver: docker', 'driver: sim');

describe('cluster on the sim driver (example manifest)', () => {
  let dir: string;
  let file: string;
  const run = (...args: string[]) => cluster([...args, '-f', file], { cwd: dir });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cluster-e2e-'));
    file = join(dir, 'cluster.yml');
    writeFileSync(file, example);
  });

  test('--help works and lists the commands; npm ci links node_modules/.bin/cluster', () => {
    const linked = spawnSync(join(import.meta.dirname, '../../node_modules/.bin/cluster'), ['--version'], { encoding: 'utf8' });
    expect(linked.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const r = cluster(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['validate', 'plan', 'apply', 'status', 'destroy']) expect(r.stdout).toContain(c);
  });

  test('every command has --help with an example; completion scripts list the commands', async () => {
    // 19 runs of the binary: asynchronous, so vitest's worker is not blocked for their sum.
    const commands = ['validate', 'plan', 'apply', 'watch', 'status', 'destroy', 'repair', 'graph', 'explain', 'ls', 'active', 'ip', 'env', 'inspect', 'ssh', 'scp', 'completion', 'ps', 'logs', 'exec', 'show', 'regenerate-certs', 'upgrade'];
    const helps = await Promise.all(commands.map((c) => clusterAsync([c, '--help'])));
    helps.forEach((r, i) => {
      expect(r.code, commands[i]).toBe(0);
      expect(r.stdout, commands[i]).toMatch(/Examples?:\n  .*cluster /);
    });
    for (const r of await Promise.all(['bash', 'zsh', 'fish'].map((sh) => clusterAsync(['completion', sh])))) expect(r.stdout).toContain('explain');
    expect((await clusterAsync(['completion', 'tcsh'])).code).toBe(1);
  }, 60_000);

  test('validate', () => {
    const r = run('validate');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid: cluster "demo", 3 machines, 3 services \(13 replicas\)/);
  });

  test('validate counts a global service as one per machine, not as 0 replicas', () => {
    const globalDir = mkdtempSync(join(tmpdir(), 'cluster-validate-'));
    writeFileSync(join(globalDir, 'cluster.yml'), 'name: g\nmachines:\n  m1: { driver: sim }\nservices:\n  agent: { image: busybox, deploy: { mode: global } }\n  web: { image: busybox, scale: 2 }\n');
    const text = cluster(['validate', '-f', 'cluster.yml'], { cwd: globalDir });
    expect(text.stdout).toMatch(/2 services \(2 replicas, 1 global: one per machine\)/);
    const json = JSON.parse(cluster(['validate', '--json', '-f', 'cluster.yml'], { cwd: globalDir }).stdout) as { replicas: number; global_services: number };
    expect([json.replicas, json.global_services]).toEqual([2, 1]);
  });

  test('plan: text and JSON are byte-identical across runs; detailed exit code 2', () => {
    const a = run('plan');
    const b = run('plan');
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('simulated');
    expect(a.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy\./);
    const j1 = run('plan', '--json');
    const j2 = run('plan', '--json');
    expect(j1.stdout).toBe(j2.stdout);
    const plan = JSON.parse(j1.stdout);
    expect(plan.format_version).toBe('1.0');
    expect(plan.unschedulable).toEqual([]);
    // the database goes where size=xxl; web never shares a machine with it
    expect(Object.keys(plan.placements.db)).toEqual(['worker-2']);
    expect(plan.placements.web['worker-2']).toBeUndefined();
    const bird = Object.values(plan.placements.bird as Record<string, number[]>).flat();
    expect(bird.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(run('plan', '--detailed-exitcode').code).toBe(2);
  });

  test('apply without --auto-approve and without a terminal refuses and touches nothing', () => {
    const r = run('apply');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--auto-approve/);
    expect(run('status', '--json').stdout).toContain('"machines": []');
  });

  test('apply converges; a second plan has no changes (exit 0 with --detailed-exitcode)', () => {
    const r = run('apply', '--auto-approve');
    expect(r.stderr).toMatch(/Apply complete/);
    expect(r.code).toBe(0);
    const again = run('plan', '--detailed-exitcode');
    expect(again.stdout).toContain('No changes.');
    expect(again.code).toBe(0);
    const status = JSON.parse(run('status', '--json').stdout);
    expect(status.simulated).toBe(true);
    expect(status.machines.map((m: { name: string }) => m.name)).toEqual(['manager', 'worker-1', 'worker-2']);
    expect(status.containers).toHaveLength(13);
    expect(status.machines.find((m: { name: string }) => m.name === 'manager').role).toBe('manager');
  });

  test('ls, ip, explain: the machines and why replicas went where they went', () => {
    const ls = (JSON.parse(run('ls', '--json').stdout) as { machines: { name: string; state: string }[] }).machines;
    expect(ls.map((m) => `${m.name}:${m.state}`)).toEqual(['manager:running', 'worker-1:running', 'worker-2:running']);
    expect(run('ip', 'worker-2').stdout).toMatch(/^\S+\n$/);
    const nope = run('ip', 'nope');
    expect(nope.code).toBe(1);
    expect(nope.stderr).toContain('no machine named nope; machines: manager, worker-1, worker-2');
    const db = run('explain', 'db');
    expect(db.code).toBe(0);
    expect(db.stdout).toMatch(/manager\s+-\s+refused by constraint: constraint size==xxl not met \(size=small\)/);
    expect(db.stdout).toMatch(/worker-2\s+#1\s+fits: weight \d+/);
    const web = JSON.parse(run('explain', 'web', '--json').stdout) as { machines: { machine: string; next: { filter?: string } }[] };
    expect(web.machines.find((m) => m.machine === 'worker-2')!.next.filter).toBe('affinity');
    const env = run('env', 'manager');
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('simulated');
  });

  test('scale down removes the highest replicas; a saved plan applies exactly and goes stale', () => {
    writeFileSync(file, example.replace('scale: 10', 'scale: 7'));
    const saved = join(dir, 'down.plan');
    const p = run('plan', '-o', saved);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/Plan: 0 to add, 0 to change, 3 to destroy\./);
    for (const n of [8, 9, 10]) expect(p.stdout).toContain(`demo-bird-${n}`);
    const a = cluster(['apply', saved], { cwd: dir });
    expect(a.code).toBe(0);
    const birds = JSON.parse(run('status', '--json').stdout).containers.filter((c: { service: string }) => c.service === 'bird');
    expect(birds.map((c: { replica: number }) => c.replica)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const stale = cluster(['apply', saved], { cwd: dir });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/stale/);
  });

  test('destroy removes every machine', () => {
    const r = run('destroy', '--auto-approve');
    expect(r.code).toBe(0);
    expect(JSON.parse(run('status', '--json').stdout).machines).toEqual([]);
  });
});

describe('safety: protect and --target (sim driver)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-safety-'));
  const file = join(dir, 'cluster.yml');
  const run = (...args: string[]) => cluster([...args, '-f', file], { cwd: dir });
  const write = (workerLines: string, services = 'services:\n  web: { image: busybox, scale: 2 }\n  db: { image: busybox }\n') =>
    writeFileSync(file, `name: safe\nmachines:\n  m1: { driver: sim, role: manager, cpus: 2, memory: 2GiB }\n${workerLines}${services}`);

  test('a protected machine is never removed, not even after its manifest entry is deleted', () => {
    write('  m2: { driver: sim, role: worker, cpus: 2, memory: 2GiB, protect: true }\n');
    expect(run('apply', '--auto-approve').code).toBe(0);
    write('');
    const plan = run('plan');
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/machine m2 is protected \(protect: true\) and this plan would remove it/);
    const apply = run('apply', '--auto-approve');
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('Apply refused: nothing was changed.');
    expect(run('destroy', '--auto-approve').code).toBe(1);
    const status = JSON.parse(run('status', '--json').stdout) as { machines: { name: string }[] };
    expect(status.machines.map((m) => m.name)).toEqual(['m1', 'm2']);
    write('  m2: { driver: sim, role: worker, cpus: 2, memory: 2GiB }\n'); // protection lifted, then applied
    expect(run('apply', '--auto-approve').code).toBe(0);
    write('');
    const now = run('plan');
    expect(now.code).toBe(0);
    expect(now.stdout).toMatch(/!! This plan DESTROYS 1 machine \(m2\)/);
  });

  test('--target limits the plan to an object and what it waits for', () => {
    write('', 'services:\n  web: { image: busybox, scale: 3 }\n  db: { image: busybox, scale: 2 }\n');
    const p = JSON.parse(run('plan', '--json', '--target', 'service.db').stdout) as { actions: { id: string; kind: string; service?: string }[]; warnings: string[] };
    expect(p.actions.filter((a) => a.kind.startsWith('container.')).every((a) => a.service === 'db')).toBe(true);
    expect(p.actions.some((a) => a.kind === 'container.create' && a.service === 'db')).toBe(true);
    expect(p.warnings.join()).toContain('targeted plan');
    expect(run('plan', '--target', 'db').code).toBe(1);
  });

  test('--target says how many changes it left out, refuses an unknown object with did-you-mean, and works on watch, destroy and graph too (issue 17 point 3)', () => {
    write('', 'services:\n  web: { image: busybox, scale: 3 }\n  db: { image: busybox, scale: 2 }\n');
    expect(run('apply', '--auto-approve', '--target', 'service.db').code).toBe(0);
    // db converged, web pending: the target has nothing to do, and the plan says what it left out.
    const quiet = run('plan', '--target', 'service.db');
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/No changes in the target \(service\.db\); \d+ other changes are pending: run without --target to see them\./);
    expect(quiet.stdout).not.toMatch(/The cluster matches the manifest/);
    expect(quiet.stdout).toMatch(/left out, neither shown nor applied; run without --target to converge the rest/);
    const json = JSON.parse(run('plan', '--json', '--target', 'service.db').stdout) as { targeted: { targets: string[]; left_out: number } };
    expect(json.targeted.targets).toEqual(['service.db']);
    expect(json.targeted.left_out).toBeGreaterThan(3); // web's 3 creates at least
    const typo = run('plan', '--target', 'service.wbe');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/--target service\.wbe: there is no service wbe in the manifest or the cluster/);
    expect(typo.stderr).toMatch(/did you mean `service\.web`\?/);
    // The same flag where the same thing is meant.
    expect(run('graph', '--target', 'service.web').stdout).toMatch(/web/);
    expect(cluster(['watch', '--help']).stdout).toMatch(/--target <object>[\s\S]*--strategy <name>|--strategy <name>[\s\S]*--target <object>/);
    type Status = { containers: { service: string }[]; machines: { name: string }[] };
    const before = JSON.parse(run('status', '--json').stdout) as Status;
    expect(before.containers.filter((c) => c.service === 'db')).toHaveLength(2);
    expect(run('destroy', '--auto-approve', '--target', 'service.db').code).toBe(0);
    const after = JSON.parse(run('status', '--json').stdout) as Status;
    expect(after.containers.filter((c) => c.service === 'db')).toEqual([]);
    expect(after.machines.map((m) => m.name)).toEqual(before.machines.map((m) => m.name)); // only db went
    // nothing pending anywhere: the warning does not send the user to converge a rest there is not
    expect(run('apply', '--auto-approve').code).toBe(0);
    const converged = run('plan', '--target', 'service.web').stdout;
    expect(converged).toContain('targeted plan (service.web): nothing else is pending\n');
    expect(converged).not.toContain('converge the rest');
  });
});

describe('plan --destroy (sim driver)', () => {
  test('previews the destroy with readable reasons, saves it with -o, and apply FILE destroys exactly that (issue 17 point 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-plan-destroy-'));
    writeFileSync(join(dir, 'cluster.yml'), example);
    const run = (...args: string[]) => cluster([...args, '-f', 'cluster.yml'], { cwd: dir });
    expect(run('apply', '--auto-approve').code).toBe(0);
    const preview = run('plan', '--destroy', '--detailed-exitcode');
    expect(preview.code).toBe(2);
    expect(preview.stdout).toMatch(/-\s+machine worker-2 \(destroyed, with its \d+ containers\)/);
    expect(preview.stdout).not.toMatch(/not in the manifest|\(\(|\)\)|the manifest wants 0/);
    const json = JSON.parse(run('plan', '--destroy', '--json').stdout) as { actions: { kind: string; cause: string }[] };
    expect(json.actions.filter((a) => a.kind === 'machine.remove').map((a) => a.cause)).toEqual(['destroyed', 'destroyed', 'destroyed']);
    // Nothing changed by the preview; the hint of a refused destroy points at it.
    expect((JSON.parse(run('status', '--json').stdout) as { machines: unknown[] }).machines).toHaveLength(3);
    expect(run('destroy').stderr).toMatch(/cluster plan --destroy/);
    expect(run('plan', '--destroy', '-o', 'destroy.plan').code).toBe(0);
    const applied = run('apply', 'destroy.plan');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stderr + applied.stdout).toMatch(/Destroy complete/);
    expect((JSON.parse(run('status', '--json').stdout) as { machines: unknown[] }).machines).toHaveLength(0);
  });
});

describe('secrets never leave in clear (sim driver)', () => {
  test('plan text and JSON, saved plan, apply events, status, explain, graph and state files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-secret-'));
    const file = join(dir, 'cluster.yml');
    const secrets = ['s3cr3t-pw-7781', 'tok-5521-xyz', 'listed-9931'];
    const write = (pw: string) =>
      writeFileSync(file, `name: sec\nsensitive: [LISTED]\nmachines:\n  m: { driver: sim, cpus: 2, memory: 2GiB }\nservices:\n  db:\n    image: busybox\n    environment:\n      DB_PASSWORD: ${pw}\n      API_TOKEN: \${API_TOKEN}\n      LISTED: ${secrets[2]}\n      MODE: plain-visible\n`);
    write(secrets[0]!);
    const env = { API_TOKEN: secrets[1]! };
    const run = (...args: string[]) => cluster([...args, '-f', file], { cwd: dir, env });
    const outputs = [run('plan'), run('plan', '--json'), run('plan', '-o', join(dir, 'saved.plan')), run('apply', '--auto-approve', '--json'), run('status', '--json'), run('explain', 'db'), run('graph')];
    write('changed-pw-0001');
    outputs.push(run('plan'), run('plan', '--json'), run('apply', '--auto-approve'));
    const everything = [...outputs.map((o) => o.stdout + o.stderr), readFileSync(join(dir, 'saved.plan'), 'utf8'), ...readdirSync(join(dir, '.cluster')).map((f) => readFileSync(join(dir, '.cluster', f), 'utf8'))].join('\n');
    expect(everything).toContain('plain-visible');
    for (const s of [...secrets, 'changed-pw-0001']) expect(everything).not.toContain(s);
    expect(outputs[7]!.stdout).toContain('~ environment.DB_PASSWORD: (sensitive value changed)');
  }, 60_000);
});
