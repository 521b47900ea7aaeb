// bin/code-cache.js: the bundled CLI's V8 code cache is an optimisation and nothing else. Each load is
// a node process of its own, as a CLI run is (one process's V8 keeps compiled scripts in memory).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { expect, test } from 'vitest';

const LOADER = join(import.meta.dirname, '../../bin/code-cache.js');
const { COMMANDS, cacheKind } = createRequire(import.meta.url)('../../bin/cache-kind.js') as { COMMANDS: Set<string>; cacheKind: (argv: string[]) => string };

/** A script like the bundle: a build id on its first line, exports, enough code for V8 to cache. */
function script(dir: string, id = 'a'.repeat(64), body = 'exports.answer = () => 42;'): string {
  const file = join(dir, 'main.cjs');
  const filler = Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x * ${i} + ${i}; }`).join('\n');
  writeFileSync(file, `// build ${id}\n'use strict';\n${filler}\n${body}\n`);
  return file;
}

// A file, not `node -e`: the code given with -e is in node's flags, which name the cache.
const RUNNER = join(mkdtempSync(join(tmpdir(), 'cluster-cache-runner-')), 'load.mjs');
writeFileSync(
  RUNNER,
  `const { loadScript } = await import(${JSON.stringify(LOADER)});
const [file, folders, call, kind] = process.argv.slice(2);
const r = loadScript(file, { folders: JSON.parse(folders), ...(kind ? { kind } : {}) });
const answer = r.exports[call]();
r.save();
console.log(JSON.stringify({ cache: r.cache, answer }));
`,
);

/** Loads the script in a fresh node, calls its answer() (or `call`) and saves the cache: what the load reported. */
function load(file: string, folders: string[], call = 'answer', kind = ''): { cache: string; answer: number } {
  const r = spawnSync(process.execPath, [RUNNER, file, JSON.stringify(folders), call, kind], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { cache: string; answer: number };
}

const caches = (folder: string) => (existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.v8cache')) : []);

test('missing, then written beside the script and used; a rebuilt script never reads the old build’s cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-cache-'));
  const file = script(dir);
  expect(load(file, [dir])).toEqual({ cache: 'missing', answer: 42 });
  expect(caches(dir)).toHaveLength(1);
  expect(load(file, [dir])).toEqual({ cache: 'used', answer: 42 });
  // Same length, other code, other build id: the old cache is not read (V8 would check the length only).
  script(dir, 'b'.repeat(64), 'exports.answer = () => 43;');
  expect(load(file, [dir])).toEqual({ cache: 'missing', answer: 43 });
  expect(load(file, [dir])).toEqual({ cache: 'used', answer: 43 });
});

test('a cache grows with what later runs compile (a run of --version first, a plan after), a few times, then stays as it is', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-cache-'));
  const file = script(dir, 'c'.repeat(64), `exports.answer = () => 42;\nexports.more = () => [${Array.from({ length: 200 }, (_, i) => `f${i}(1)`).join(', ')}].length;`);
  expect(load(file, [dir])).toEqual({ cache: 'missing', answer: 42 });
  const size = () => readFileSync(join(dir, caches(dir)[0]!)).length;
  const first = size();
  expect(load(file, [dir], 'more')).toEqual({ cache: 'used', answer: 200 });
  expect(size()).toBeGreaterThan(first); // the 200 functions more() called are in it now
  for (let i = 0; i < 3; i++) load(file, [dir], 'more');
  const grown = readFileSync(join(dir, caches(dir)[0]!));
  expect(grown[32]).toBe(5); // written by five runs: the first, then four that grew it
  expect(load(file, [dir], 'more')).toEqual({ cache: 'used', answer: 200 });
  expect(readFileSync(join(dir, caches(dir)[0]!)).equals(grown)).toBe(true);
});

test('a corrupt or truncated cache is rejected: the script runs from source and the cache is written again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-cache-'));
  const file = script(dir);
  load(file, [dir]);
  const [name] = caches(dir);
  const good = readFileSync(join(dir, name!));
  writeFileSync(join(dir, name!), Buffer.alloc(good.length, 7));
  expect(load(file, [dir])).toEqual({ cache: 'rejected', answer: 42 });
  expect(load(file, [dir])).toEqual({ cache: 'used', answer: 42 });
  writeFileSync(join(dir, name!), good.subarray(0, good.length >> 1));
  expect(load(file, [dir])).toEqual({ cache: 'rejected', answer: 42 });
  expect(load(file, [dir])).toEqual({ cache: 'used', answer: 42 });
  // Bytes flipped inside V8's data, its header intact: V8 would deserialize them (and crash node).
  for (const at of [0.3, 0.6, 0.9]) {
    const flipped = Buffer.from(good);
    const i = Math.floor(good.length * at);
    flipped.writeUInt32LE(~flipped.readUInt32LE(i) >>> 0, i);
    writeFileSync(join(dir, name!), flipped);
    expect(load(file, [dir])).toEqual({ cache: 'rejected', answer: 42 });
  }
});

test('the script’s folder unwritable: the cache goes to the next folder (the user’s); none writable: the run goes on without', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-cache-'));
  const file = script(dir);
  // A file where a folder should be fails as a read-only folder would (tests run as root, which writes anywhere).
  const blocked = join(dir, 'blocked');
  writeFileSync(blocked, '');
  const user = join(dir, 'user-cache');
  expect(load(file, [blocked, user])).toEqual({ cache: 'missing', answer: 42 });
  expect(caches(user)).toHaveLength(1);
  expect(load(file, [blocked, user])).toEqual({ cache: 'used', answer: 42 });
  const nowhere = join(blocked, 'below-a-file');
  expect(load(file, [blocked, nowhere])).toEqual({ cache: 'missing', answer: 42 });
  expect(load(file, [blocked, nowhere])).toEqual({ cache: 'missing', answer: 42 });
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

test('a script without a build id runs without a cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-cache-'));
  const file = join(dir, 'main.cjs');
  writeFileSync(file, 'exports.answer = () => 42;\n');
  mkdirSync(join(dir, 'c'));
  expect(load(file, [join(dir, 'c')])).toEqual({ cache: 'none', answer: 42 });
  expect(caches(join(dir, 'c'))).toEqual([]);
});

test('a script with characters beyond ASCII is decoded as UTF-8, with its cache and without', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-cache-'));
  // Read as latin1, 'µ→🦀' would come out as eight other characters, and its length as 8.
  const file = script(dir, 'c'.repeat(64), "exports.answer = () => 'µ→🦀'.length * 10 + [...'µ→🦀'].length;");
  expect(load(file, [dir])).toEqual({ cache: 'missing', answer: 43 });
  expect(load(file, [dir])).toEqual({ cache: 'used', answer: 43 });
});

test('the built bundle is ASCII: the loader makes its string without decoding UTF-8 on every start', () => {
  const bundle = join(import.meta.dirname, '../../dist/bundle/main.cjs');
  const text = readFileSync(bundle, 'latin1');
  const odd = /[^\x00-\x7f]/.exec(text);
  expect(odd && text.slice(Math.max(0, odd.index - 80), odd.index + 20), 'write the character as a \\u escape in the source').toBeNull();
});

test('each kind of run has its own cache, grown by its own first runs: runs of one kind never fill up another\'s', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-cache-'));
  const file = script(dir, 'd'.repeat(64), 'exports.answer = () => 42; exports.plan = () => [1, 2, 3].map((x) => x * 2).length;');
  // Six runs of one kind use up its growth (GROWTH_RUNS): with one shared cache, the other kind would then read a cache without its code.
  for (let i = 0; i < 6; i++) load(file, [dir], 'answer', 'version');
  expect(caches(dir)).toHaveLength(1);
  expect(load(file, [dir], 'plan', 'plan')).toEqual({ cache: 'missing', answer: 3 });
  expect(load(file, [dir], 'plan', 'plan')).toEqual({ cache: 'used', answer: 3 });
  expect(load(file, [dir], 'answer', 'version')).toEqual({ cache: 'used', answer: 42 });
  expect(caches(dir).sort()).toEqual([expect.stringMatching(/\.plan\.v8cache$/), expect.stringMatching(/\.version\.v8cache$/)]);
});

test('the launcher names a run\'s cache after its command: every command of `cluster --help`, and no other word', () => {
  const help = spawnSync(process.execPath, [join(import.meta.dirname, '../../bin/cluster.js'), '--help'], { encoding: 'utf8', timeout: 60_000 });
  const listed = help.stdout.slice(help.stdout.indexOf('Commands:')).split('\n').slice(1).filter((l) => /^ {2}[a-z]/.test(l)).map((l) => l.trim().split(/\s/)[0]);
  expect([...COMMANDS].sort()).toEqual(listed.sort());
  expect(cacheKind(['apply', '--auto-approve'])).toBe('apply');
  expect(cacheKind(['--no-color', 'plan', '-o', 'apply'])).toBe('plan');
  expect(cacheKind(['--version'])).toBe('version');
  expect(cacheKind([])).toBe('help');
  expect(cacheKind(['aply'])).toBe('other'); // a typo does not make a cache of its own
});
