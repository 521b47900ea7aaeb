// One JSON contract (docs/PLAN_FORMAT.md): every `--json` output is one document (or, for apply and
// watch, one event per line) that carries format_version, through the real binary on the sim driver.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { background } from '../support/background.js';
import { cluster } from '../support/cli.js';

const example = readFileSync(join(import.meta.dirname, '../../cluster.example.yml'), 'utf8').replaceAll('driver: docker', 'driver: sim');

describe('--json contract', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-json-'));
  const run = (...args: string[]) => cluster([...args, '-f', 'cluster.yml'], { cwd: dir });
  const doc = (...args: string[]) => {
    const r = run(...args);
    expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  beforeAll(() => {
    writeFileSync(join(dir, 'cluster.yml'), example);
  });

  test('plan --json: format_version and the counts of the text summary line', () => {
    const plan = doc('plan', '--json');
    expect(plan.format_version).toBe('1.0');
    const actions = plan.actions as { kind: string }[];
    expect(plan.summary).toEqual({ add: actions.length, change: 0, destroy: 0 });
    expect(run('plan').stdout).toContain(`Plan: ${actions.length} to add, 0 to change, 0 to destroy.`);
  });

  test('apply --json: every line is an event; the last before status is the summary', () => {
    const r = run('apply', '--auto-approve', '--json');
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; plan?: { format_version: string }; result?: string; status?: { format_version: string } });
    expect(events[0]!.type).toBe('plan');
    expect(events[0]!.plan!.format_version).toBe('1.0');
    // the plan event is the document `plan --json` prints, counts included
    const counted = events[0]!.plan as unknown as { actions: unknown[]; summary: unknown };
    expect(counted.summary).toEqual({ add: counted.actions.length, change: 0, destroy: 0 });
    expect(events.at(-2)).toMatchObject({ type: 'summary', result: 'complete' });
    expect(events.at(-1)).toMatchObject({ type: 'status', status: { format_version: '1.0' } });
  });

  test('validate, status, ls, ip, explain and graph --json each carry format_version', () => {
    expect(doc('validate', '--json')).toMatchObject({ format_version: '1.0', valid: true, cluster: 'demo', machines: 3, diagnostics: [] });
    expect(doc('status', '--json')).toMatchObject({ format_version: '1.0', cluster: 'demo' });
    expect(doc('ls', '--json')).toMatchObject({ format_version: '1.0', machines: expect.arrayContaining([expect.objectContaining({ name: 'worker-2', state: 'running' })]) });
    expect(doc('ip', 'worker-2', '--json')).toMatchObject({ format_version: '1.0', machine: 'worker-2', address: expect.any(String) });
    expect(doc('explain', 'bird', '--json')).toMatchObject({ format_version: '1.0', service: 'bird' });
    expect(doc('inspect', 'worker-2')).toMatchObject({ format_version: '1.0', name: 'worker-2', desired: { driver: 'sim' } }); // JSON without --json
    expect(Object.keys(doc('ps', '--json'))[0]).toBe('format_version');
    writeFileSync(join(dir, 'cluster.yml'), example.replace(/scale: 10/, 'scale: 11'));
    const graph = doc('graph', '--json');
    expect(graph).toMatchObject({ format_version: '1.0', cluster: 'demo' });
    const nodes = graph.nodes as { id: string; cause: string }[];
    expect(nodes.some((n) => n.id === 'container.create:bird:11' && n.cause === 'missing')).toBe(true);
    for (const e of graph.edges as { from: string; to: string }[]) expect(nodes.some((n) => n.id === e.from) && nodes.some((n) => n.id === e.to)).toBe(true);
    writeFileSync(join(dir, 'cluster.yml'), example);
  });

  test('validate --json on an invalid manifest: the diagnostics as JSON on stdout, exit 1', () => {
    const bad = mkdtempSync(join(tmpdir(), 'cluster-json-bad-'));
    writeFileSync(join(bad, 'cluster.yml'), 'name: x\nmachines:\n  m1: { driver: sim, cpus: lots }\n');
    const r = cluster(['validate', '--json', '-f', 'cluster.yml'], { cwd: bad });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { format_version: string; valid: boolean; diagnostics: { severity: string; line: number; col: number; message: string }[] };
    expect(out).toMatchObject({ format_version: '1.0', valid: false });
    expect(out.diagnostics[0]).toMatchObject({ severity: 'error', line: 3, message: expect.stringMatching(/cpus/) });
  });

  test('watch --json frames each run as apply --json does: a plan event (with why and counts), its action events, a summary, the status', async () => {
    const wdir = mkdtempSync(join(tmpdir(), 'cluster-json-watch-'));
    writeFileSync(join(wdir, 'cluster.yml'), example);
    const watcher = background(['watch', '--json', '--interval', '60', '-f', 'cluster.yml'], { cwd: wdir });
    try {
      await watcher.waitFor(/"type":"status"/, 60_000);
      writeFileSync(join(wdir, 'cluster.yml'), example.replace(/scale: 10/, 'scale: 11'));
      await watcher.waitFor(/"type":"status"/, 60_000, 2);
    } finally {
      expect(await watcher.stop('SIGINT')).toBe(130);
    }
    const events = watcher
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; why?: string; result?: string; plan?: { format_version: string; summary: unknown } });
    const framing = events.filter((e) => e.type !== 'start' && e.type !== 'done').map((e) => [e.type, e.why]);
    expect(framing).toEqual([
      ['plan', 'start'],
      ['summary', 'start'],
      ['status', undefined],
      ['plan', expect.stringContaining('cluster.yml changed')],
      ['summary', expect.stringContaining('cluster.yml changed')],
      ['status', undefined],
    ]);
    expect(events.filter((e) => e.type === 'plan').map((e) => [e.plan!.format_version, e.plan!.summary])).toEqual([
      ['1.0', { add: 22, change: 0, destroy: 0 }],
      ['1.0', { add: 1, change: 0, destroy: 0 }],
    ]);
    expect(events.filter((e) => e.type === 'summary').map((e) => e.result)).toEqual(['complete', 'complete']);
  }, 120_000);
});
