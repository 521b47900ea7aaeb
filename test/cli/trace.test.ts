// CLUSTER_TRACE=1 (README, environment): one stderr line per phase of an apply, in the order the run
// goes through them, with non-decreasing times; without it, none. stdout is untouched either way.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { cluster } from '../support/cli.js';

const MANIFEST = `name: traced
machines:
  m: { driver: sim, count: 2 }
services:
  web: { image: nginx, scale: 2 }
`;

test('CLUSTER_TRACE=1 prints the phases of an apply in order, on stderr only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cl-trace-'));
  writeFileSync(join(dir, 'cluster.yml'), MANIFEST);
  const traced = cluster(['apply', '--auto-approve', '--json'], { cwd: dir, env: { CLUSTER_TRACE: '1' } });
  expect(traced.code, traced.stderr).toBe(0);
  const lines = [...traced.stderr.matchAll(/^trace +(\d+) ms {2}(.*)$/gm)].map((m) => ({ ms: Number(m[1]), what: m[2] }));
  expect(lines.map((l) => l.what)).toEqual(['apply command', 'manifest loaded', 'drivers open', 'lock held', 'observed', 'planned', 'walked', 'observed after', 'reported', 'closed']);
  expect(lines.every((l, i) => i === 0 || l.ms >= lines[i - 1]!.ms)).toBe(true);
  expect(traced.stdout).not.toMatch(/^trace /m);

  const quiet = cluster(['apply', '--auto-approve'], { cwd: dir, env: { CLUSTER_TRACE: undefined } });
  expect(quiet.code, quiet.stderr).toBe(0);
  expect(quiet.stderr + quiet.stdout).not.toMatch(/^trace /m);
});
