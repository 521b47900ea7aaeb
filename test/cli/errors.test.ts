// Bad input through the real binary: exit 1, file:line:col, the offending line with a caret, a hint,
// and never a stack trace.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cluster } from '../support/cli.js';

const broken = join(import.meta.dirname, '../fixtures/manifests/broken');
const STACK = /^\s+at .+\(.+:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;

describe('errors from the binary', () => {
  const files = readdirSync(broken).filter((f) => f.endsWith('.yml')).sort();

  test('the broken corpus is not empty', () => expect(files.length).toBeGreaterThanOrEqual(20));

  for (const f of files) {
    test(`${f}: exit 1 with file:line:col, a caret, no stack trace`, () => {
      for (const cmd of ['validate', 'plan']) {
        const r = cluster([cmd, '-f', join(broken, f)]);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`${f.replace('.', '\\.')}:[1-9]\\d*:[1-9]\\d*: error: `));
        expect(r.stderr).toMatch(/^\s+\d+ \| .*\n\s+\^/m);
        expect(r.stderr).not.toMatch(STACK);
        expect(r.stdout).toBe('');
      }
    });
  }

  test('a missing manifest names the file', () => {
    const r = cluster(['plan', '-f', '/nonexistent/cluster.yml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/nonexistent/cluster.yml');
    expect(r.stderr).not.toMatch(STACK);
  });

  test('an unknown option is an error with a pointer to --help', () => {
    const r = cluster(['plan', '--frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });
});
