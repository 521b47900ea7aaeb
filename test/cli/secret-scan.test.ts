// The suite-wide secret scan (every CLI run in every test goes through it) must itself catch a leak.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { assertNoSecret, secretsGiven } from '../support/secret-scan.js';

test('secret values come from secret-named variables of the environment and of .env; a leak fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scan-'));
  writeFileSync(join(dir, '.env'), 'DB_PASSWORD="correct-horse"\nGREETING=hello-there\n');
  const secrets = secretsGiven({ API_TOKEN: 'tok-123456', HOME: '/root', SHORT_KEY: 'abc' }, dir);
  expect(secrets.sort()).toEqual(['correct-horse', 'tok-123456']);
  expect(() => assertNoSecret('environment: DB_PASSWORD=(sensitive)', secrets, 'plan')).not.toThrow();
  expect(() => assertNoSecret('environment: DB_PASSWORD=correct-horse', secrets, 'plan')).toThrow(/secret scan: `cluster plan` printed/);
});
