// Fuzzing the manifest loader: whatever the bytes, it returns diagnostics (never throws), and every
// diagnostic points inside the file.
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loadManifest } from '../../src/manifest/index.js';
import { turn } from '../support/turn.js';

const dir = mkdtempSync(join(tmpdir(), 'manifest-fuzz-'));
const file = join(dir, 'cluster.yml');
const VALID = 'name: f\nmachines:\n  m: { driver: sim, role: manager, cpus: 2, memory: 2GiB }\nservices:\n  web:\n    image: busybox\n    scale: 3\n    environment: ["constraint:size==xxl", A=1]\n    ports: ["80:80"]\n    depends_on: [db]\n  db: { image: redis }\n';

function check(bytes: Uint8Array | string): void {
  writeFileSync(file, bytes);
  let r: ReturnType<typeof loadManifest>;
  try {
    r = loadManifest(file, { env: {} });
  } catch (err) {
    throw new Error(`loadManifest threw: ${(err as Error).stack}`);
  }
  if (r.ok) return;
  const lines = Buffer.from(bytes).toString('utf8').split('\n').length;
  for (const d of r.diagnostics) {
    // A file that is not one at all (no known top-level key) has no place to point at, on purpose:
    // pointing would print a line of whatever file it is.
    if (/^not a (manifest|compose file):/.test(d.message)) {
      expect([d.line, d.col]).toEqual([0, 0]);
      continue;
    }
    expect(d.message.length).toBeGreaterThan(0);
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(lines + 1);
    expect(d.col).toBeGreaterThanOrEqual(1);
  }
}

/** check, then a turn of the event loop (test/support/turn.ts says why). */
async function checkThenTurn(bytes: Uint8Array | string): Promise<void> {
  check(bytes);
  await turn();
}

test('random bytes, random YAML-ish text and mutations of a valid manifest never crash the loader', async () => {
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), checkThenTurn), { numRuns: 300 });
  const token = fc.constantFrom('name:', 'machines:', 'services:', '  ', '    ', '- ', '{', '}', '[', ']', ':', ',', '&a', '*a', '<<: *a', '!!binary', '"', "'", '${X}', '${X:?}', '\t', '\n', 'scale: ', '1e9', '-1', 'null', '~', '?', '|', '>', '#', 'constraint:', '==', 'driver: sim', 'image: x');
  await fc.assert(fc.asyncProperty(fc.array(token, { maxLength: 60 }), (ts) => checkThenTurn(ts.join(''))), { numRuns: 600 });
  await fc.assert(
    fc.asyncProperty(fc.nat(VALID.length), fc.nat(VALID.length), fc.string({ maxLength: 8 }), (a, b, ins) => checkThenTurn(VALID.slice(0, Math.min(a, b)) + ins + VALID.slice(Math.max(a, b)))),
    { numRuns: 600 },
  );
});
