// Writes test/support/durations.json from vitest's cache of the last run (each file's duration, by
// project): the order test/support/sequencer.ts starts files in on a fresh clone, where vitest has no
// cache (CI). Run it after a full `npm test` on a machine like CI's; a stale table only orders worse.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const cache = join(root, 'node_modules/.vite/vitest');
const [folder] = readdirSync(cache);
if (!folder) throw new Error(`no vitest cache in ${cache}: run the tests first`);
const { results } = JSON.parse(readFileSync(join(cache, folder, 'results.json'), 'utf8'));
const durations = Object.fromEntries(results.sort(([a], [b]) => (a < b ? -1 : 1)).map(([file, r]) => [file, Math.round(r.duration)]));
writeFileSync(join(root, 'test/support/durations.json'), `${JSON.stringify(durations, null, 1)}\n`);
console.log(`test/support/durations.json: ${Object.keys(durations).length} files`);
