// The secrets registry is process-wide (src/model/secrets.ts: the CLI loads one manifest per process).
// Test files that share a worker (vitest.config.ts, the `unit` project) would otherwise mask each
// other's values: a file that remembered the password 'web' or '1' turned 'web #4' and 'm1' into
// '(sensitive)' in the next file's plan text. Each file starts with none.
import { afterAll } from 'vitest';
import { forgetSecrets } from '../../src/model/secrets.js';

afterAll(forgetSecrets);
