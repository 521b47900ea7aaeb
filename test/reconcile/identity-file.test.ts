// The checkout's identity file (src/reconcile/identity-file.ts): made once, exclusively, never half
// written; two runs at once end with one id; a kill -9 leaves only a temp file the next run removes.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { adoptIdentity, ensureIdentity, identityFile, readIdentity } from '../../src/reconcile/identity-file.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'cluster-identity-'));
const MODULE = join(import.meta.dirname, '../../src/reconcile/identity-file.ts');

describe('identity file', () => {
  test('made once: later calls read the same id; plan-side reads never make one', () => {
    const dir = join(fresh(), '.cluster');
    expect(readIdentity(dir, 'demo')).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
    const first = ensureIdentity(dir, 'demo');
    expect(first.created).toBe(true);
    expect(first.id).toMatch(/^[0-9a-f]{32}$/);
    expect(ensureIdentity(dir, 'demo')).toEqual({ id: first.id, created: false });
    expect(readIdentity(dir, 'demo')).toBe(first.id);
    // One per cluster name: another manifest in the same folder is another checkout.
    expect(ensureIdentity(dir, 'other').id).not.toBe(first.id);
    expect(readdirSync(dir).sort()).toEqual(['demo.identity', 'other.identity']);
  });

  test('several processes at once: one id, made by exactly one of them', async () => {
    const dir = join(fresh(), '.cluster');
    const gate = fresh();
    const n = 6;
    // Each process checks in, then waits until all have (a barrier, not a delay), then races.
    const script = `
      import { readdirSync, writeFileSync } from 'node:fs';
      import { ensureIdentity } from ${JSON.stringify(MODULE)};
      writeFileSync(${JSON.stringify(gate)} + '/' + process.pid, '');
      while (readdirSync(${JSON.stringify(gate)}).length < ${n}) {}
      process.stdout.write(JSON.stringify(ensureIdentity(${JSON.stringify(dir)}, 'demo')));`;
    const runs = await Promise.all(
      Array.from({ length: n }, () => new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
      })),
    );
    const results = runs.map((r) => JSON.parse(r) as { id: string; created: boolean });
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(readFileSync(identityFile(dir, 'demo'), 'utf8')).toBe(`${results[0]!.id}\n`);
    expect(readdirSync(dir)).toEqual(['demo.identity']); // no temp file left
  }, 60_000);

  test('a run killed before the link left only a temp file: the next run removes it and makes the id', () => {
    const dir = join(fresh(), '.cluster');
    mkdirSync(dir);
    const debris = `${identityFile(dir, 'demo')}.999999999.1.tmp`; // no such pid
    writeFileSync(debris, 'abc'); // half written
    const { id, created } = ensureIdentity(dir, 'demo');
    expect(created).toBe(true);
    expect(existsSync(debris)).toBe(false);
    expect(readIdentity(dir, 'demo')).toBe(id);
  });

  test('a damaged identity is an error naming the file, never silently replaced', () => {
    const dir = join(fresh(), '.cluster');
    mkdirSync(dir);
    writeFileSync(identityFile(dir, 'demo'), 'abc');
    expect(() => ensureIdentity(dir, 'demo')).toThrow(/demo\.identity does not hold an identity/);
    expect(readFileSync(identityFile(dir, 'demo'), 'utf8')).toBe('abc');
  });

  test('adopting replaces the id atomically and keeps the previous one beside it', () => {
    const dir = join(fresh(), '.cluster');
    const own = ensureIdentity(dir, 'demo').id;
    const theirs = 'f'.repeat(32);
    adoptIdentity(dir, 'demo', theirs);
    expect(readIdentity(dir, 'demo')).toBe(theirs);
    expect(readFileSync(`${identityFile(dir, 'demo')}.bak`, 'utf8')).toBe(`${own}\n`);
    expect(() => adoptIdentity(dir, 'demo', 'not-an-id')).toThrow(/not an identity/);
  });
});
