// A temporary manifest folder per test, removed afterwards; the builders live in builders.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

export { CLUSTER, context, machine, replicaRequest, spec } from './builders.js';

const made: string[] = [];

afterEach(async () => {
  // A driver a test did not close may still land a coalesced state write while the folder goes (ENOTEMPTY): rm retries.
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 5 })));
});

/** A fresh manifest folder, removed after the test. */
export async function manifestDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cluster-sim-'));
  made.push(dir);
  return dir;
}
