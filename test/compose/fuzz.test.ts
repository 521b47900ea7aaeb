// Whatever the text, loadCompose returns diagnostics (never throws), each at a place in a file.
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loadCompose } from '../../src/compose/index.js';
import { turn } from '../support/turn.js';

const dir = mkdtempSync(join(tmpdir(), 'compose-fuzz-'));
const file = join(dir, 'compose.yml');
const VALID =
  'x-base: &base\n  restart: always\n  environment: [A=1]\nservices:\n  web:\n    <<: *base\n    image: nginx:${TAG:-1}\n    ports: ["80:80", { target: 443 }]\n' +
  '    depends_on: { db: { condition: service_healthy } }\n    volumes: [./a:/a, data:/data]\n    env_file: [{ path: e.env, required: false }]\n' +
  '  db:\n    extends: base2\n    profiles: [p]\n    secrets: [{ source: s, mode: 0440 }]\n  base2:\n    image: postgres\n    deploy: { replicas: "${N:-2}" }\nvolumes:\n  data: {}\nsecrets:\n  s: { file: ./s.txt }\n';

function check(text: string): void {
  writeFileSync(file, text);
  let r: ReturnType<typeof loadCompose>;
  try {
    r = loadCompose([file], { env: {}, profiles: ['p'] });
  } catch (err) {
    throw new Error(`loadCompose threw on ${JSON.stringify(text)}: ${(err as Error).stack}`);
  }
  expect(r.files[0]).toBe(file);
  const lines = text.split('\n').length;
  for (const d of r.ok ? r.warnings : r.diagnostics) {
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

test('the valid sample loads', () => {
  writeFileSync(file, VALID);
  const r = loadCompose([file], { env: {}, profiles: ['p'] });
  expect(r.ok && r.project.services.map((s) => s.name)).toEqual(['web', 'db', 'base2']);
});

/** check, then a turn of the event loop (test/support/turn.ts says why). */
async function checkThenTurn(text: string): Promise<void> {
  check(text);
  await turn();
}

test('random compose-ish text and mutations of a valid file never crash the loader', async () => {
  const token = fc.constantFrom('services:', 'volumes:', 'secrets:', '  ', '    ', '- ', '{', '}', '[', ']', ':', ',', '&a', '*a', '<<: *a', '"', '${X}', '${X:?}', '$$', '\n', 'web:', 'image: x', 'extends: web', 'extends: { file: nope.yml, service: a }', 'depends_on: [web]', 'profiles: [p]', 'env_file: e.env', 'ports: ', 'x-a: ', 'null', '~', '0440', 'mode: ', 'include: [a]');
  await fc.assert(fc.asyncProperty(fc.array(token, { maxLength: 60 }), (ts) => checkThenTurn(ts.join(''))), { numRuns: 400 });
  await fc.assert(
    fc.asyncProperty(fc.nat(VALID.length), fc.nat(VALID.length), fc.string({ maxLength: 8 }), (a, b, ins) => checkThenTurn(VALID.slice(0, Math.min(a, b)) + ins + VALID.slice(Math.max(a, b)))),
    { numRuns: 400 },
  );
});
