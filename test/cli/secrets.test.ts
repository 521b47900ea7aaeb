// Secrets interpolated anywhere (a label, a command, an image tag, an environment value) never leave
// the process in clear: every run below also goes through the suite's secret scan of its output, the
// plan file it saved and the sim state file (test/support/cli.ts).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cluster } from '../support/cli.js';

const PW = 'pw-first-81723';
const PW2 = 'pw-second-55190';
const TOKEN = 'tok-9f8e7d6c';
const PHRASE = 'listed-phrase-4471'; // its variable is secret only because `sensitive:` says so

const manifest = (image: string) => `name: secrets-sim
sensitive: [SHARD_PHRASE]
machines:
  m: { driver: sim, cpus: 2, memory: 2GiB }
services:
  db:
    image: ${image}
    command: ["sh", "-c", "psql postgres://app:\${DB_PASSWORD}@db/app"]
    labels:
      dsn: postgres://app:\${DB_PASSWORD}@db/app
      shard: "\${SHARD_PHRASE}"
    environment:
      DATABASE_URL: postgres://app:\${DB_PASSWORD}@db/app
      MODE: plain-visible
`;

describe('secrets follow their value (sim driver)', () => {
  test('label, command, image tag and environment are masked in plan, saved plan, apply events, status, explain and state; a rotation shows where, never what', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-secrets-'));
    const file = join(dir, 'cluster.yml');
    writeFileSync(file, manifest('busybox:${API_TOKEN}'));
    writeFileSync(join(dir, '.env'), `DB_PASSWORD=${PW}\n`);
    const env = { API_TOKEN: TOKEN, SHARD_PHRASE: PHRASE };
    const run = (...args: string[]) => cluster([...args, '-f', file], { cwd: dir, env });

    const plan = run('plan');
    const planJson = run('plan', '--json');
    const saved = run('plan', '-o', join(dir, 'saved.plan'));
    const apply = run('apply', '--auto-approve', '--json');
    const status = run('status', '--json');
    const explain = run('explain', 'db', '--json');
    const runs = [plan, planJson, saved, apply, status, explain, run('status'), run('explain', 'db'), run('graph')];
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const state = readFileSync(join(dir, '.cluster', 'secrets-sim.sim.json'), 'utf8');
    const savedPlan = readFileSync(join(dir, 'saved.plan'), 'utf8');
    const everything = [...runs.map((r) => r.stdout + r.stderr), savedPlan].join('\n');
    for (const s of [PW, TOKEN, PHRASE]) expect(everything).not.toContain(s);
    expect(plan.stdout).toContain('+   image busybox:(sensitive) on m');
    const ensure = (JSON.parse(planJson.stdout) as { actions: { kind: string; image?: string }[] }).actions.find((a) => a.kind === 'image.ensure');
    expect(ensure?.image).toBe('busybox:(sensitive)');
    expect(apply.stdout).toContain('"action":"image.ensure:m:busybox:(sensitive)"');
    const container = (JSON.parse(status.stdout) as { containers: { image: string }[] }).containers[0]!;
    expect(container.image).toBe('busybox:(sensitive)');
    const explained = explain.stdout;
    expect(explained).toContain('"dsn": "postgres://app:(sensitive)@db/app"');
    expect(explained).toContain('"shard": "(sensitive)"');
    expect(explained).toContain('plain-visible');

    // The state file is the simulated engine: labels and the spec label are masked; the engine still
    // got the real image (its image list and the container hold the tag it pulled).
    for (const s of [PW, PHRASE]) expect(state).not.toContain(s);
    const template = (JSON.parse(state) as { templates: { image: string; labels: Record<string, string> }[] }).templates[0]!;
    expect(template.image).toBe(`busybox:${TOKEN}`);
    expect(JSON.stringify(template.labels)).not.toContain(TOKEN);
    expect(template.labels.dsn).toBe('postgres://app:(sensitive)@db/app');
    expect(JSON.parse(template.labels['io.cluster.spec']!)).toMatchObject({ command: ['sh', '-c', 'psql postgres://app:(sensitive)@db/app'], environment: { DATABASE_URL: 'postgres://app:(sensitive)@db/app', MODE: 'plain-visible' }, image: 'busybox:(sensitive)' });
    expect(run('plan', '--detailed-exitcode').code).toBe(0); // converged: masking does not read as drift

    // Rotation: each field the password reaches is named, no value either side.
    writeFileSync(join(dir, '.env'), `DB_PASSWORD=${PW2}\n`);
    const rotated = run('plan');
    const rotatedJson = run('plan', '--json');
    expect(rotated.stdout).toContain('-/+ db #1 secrets-sim-db-1 on m (config changed)');
    for (const field of ['command.2', 'environment.DATABASE_URL', 'labels.dsn']) expect(rotated.stdout).toContain(`~ ${field}: (sensitive value changed)`);
    expect(rotated.stdout).not.toContain('labels.shard');
    const replace = (JSON.parse(rotatedJson.stdout) as { actions: { kind: string; patch?: { op: string; path: string; value?: unknown }[] }[] }).actions.find((a) => a.kind === 'container.replace')!;
    expect(replace.patch).toEqual([
      { op: 'replace', path: '/command/2', value: '(sensitive value changed)' },
      { op: 'replace', path: '/environment/DATABASE_URL', value: '(sensitive value changed)' },
      { op: 'replace', path: '/labels/dsn', value: '(sensitive value changed)' },
    ]);
    expect(run('apply', '--auto-approve').code).toBe(0);
    expect(run('plan', '--detailed-exitcode').code).toBe(0);
    const after = readFileSync(join(dir, '.cluster', 'secrets-sim.sim.json'), 'utf8');
    for (const s of [PW, PW2, PHRASE]) expect(after + rotated.stdout + rotatedJson.stdout).not.toContain(s);
  }, 90_000);

  test('an engine error naming the image, and a manifest error quoting a value, print the secret masked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-secrets-err-'));
    const file = join(dir, 'cluster.yml');
    const env = { API_TOKEN: TOKEN, SHARD_PHRASE: PHRASE };
    writeFileSync(file, manifest('reg.local/${API_TOKEN}/app:missing')); // the sim refuses to pull `:missing`
    const failed = cluster(['apply', '--auto-approve', '-f', file], { cwd: dir, env: { ...env, DB_PASSWORD: PW } });
    expect(failed.code).toBe(1);
    expect(failed.stdout + failed.stderr).toContain('pull access denied for reg.local/(sensitive)/app');
    writeFileSync(file, manifest('busybox').replace('    environment:', '    ports: ["${API_TOKEN}"]\n    environment:'));
    const invalid = cluster(['validate', '-f', file], { cwd: dir, env: { ...env, DB_PASSWORD: PW } });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/cluster\.yml:\d+:\d+: error: .*\(sensitive\)/);
  }, 60_000);
});
