// The status apply prints at its end is the cluster after the apply (it used to be read back from the
// sim state file before the run had saved it: "No machines" right after "Apply complete").
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { cluster } from '../support/cli.js';

const manifest = (scale: number) => `name: after
machines:
  m: { driver: sim, count: 3, cpus: 4, memory: 8GiB }
services:
  web:
    image: busybox
    scale: ${scale}
`;

/** Replica numbers and running counts from the SERVICE table of a printed status. */
function servicesTable(stdout: string): { replicas: number[]; running: number } {
  const replicas: number[] = [];
  let running = 0;
  for (const m of stdout.matchAll(/^web +m-\d +([\d,-]+) +(\d+)\/\d+$/gm)) {
    for (const part of m[1]!.split(',')) {
      const [a, b] = part.split('-').map(Number);
      for (let n = a!; n <= (b ?? a!); n++) replicas.push(n);
    }
    running += Number(m[2]);
  }
  return { replicas: replicas.sort((x, y) => x - y), running };
}

test('apply prints the state after the apply: machines after the first, every replica after scaling', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-after-'));
  const file = join(dir, 'cluster.yml');
  const apply = (...extra: string[]) => cluster(['apply', '--auto-approve', '-f', file, ...extra], { cwd: dir });

  writeFileSync(file, manifest(2));
  const first = apply();
  expect(first.code, first.stderr).toBe(0);
  expect(first.stderr).toMatch(/Apply complete/);
  expect(first.stdout).not.toContain('No machines');
  expect(first.stdout.match(/^m-\d +sim +running/gm)).toHaveLength(3);
  expect(servicesTable(first.stdout)).toEqual({ replicas: [1, 2], running: 2 });

  writeFileSync(file, manifest(6));
  const scaled = apply();
  expect(scaled.code, scaled.stderr).toBe(0);
  expect(servicesTable(scaled.stdout)).toEqual({ replicas: [1, 2, 3, 4, 5, 6], running: 6 });

  // --json ends with the same status `cluster status --json` then reads
  writeFileSync(file, manifest(4));
  const json = apply('--json');
  expect(json.code, json.stderr).toBe(0);
  const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; status?: unknown; result?: string });
  expect(events.at(-2)).toMatchObject({ type: 'summary', result: 'complete' });
  expect(events.at(-1)?.type).toBe('status');
  const status = JSON.parse(cluster(['status', '--json', '-f', file], { cwd: dir }).stdout) as { containers: unknown[] };
  expect(events.at(-1)?.status).toEqual(status);
  expect(status.containers).toHaveLength(4);
});
