// Loads the bundled CLI (a CommonJS script, scripts/bundle.mjs) with a V8 code cache: a start then
// skips compiling the 1.8 MB bundle and the functions its first runs compiled (Node 20 has no
// module.enableCompileCache, and only a vm.Script takes cachedData). The cache is an optimisation and
// nothing else: missing, rejected by V8 (another node, other flags), corrupt (its sha256 is checked:
// V8 does not check the content) or unwritable, the script runs compiled from source and the run goes on.
//
// The cache file is named after the bundle's build id (its first line, a hash of its content, written
// by the build), node's version, arch and flags, and the kind of run (the launcher's: the command,
// bin/cache-kind.js), so a rebuilt bundle or another node never reads a cache made for something else
// (V8 checks only the source's length), and each command's cache holds that command's code. It is written beside the
// bundle, or, where that folder is read-only (a global install), in the user's cache folder; written
// to a temporary name and renamed, so a run killed half-way or two runs at once leave either no file
// or a whole one.
'use strict';
const { isAscii } = require('node:buffer');
const { createHash, randomBytes } = require('node:crypto');
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { homedir } = require('node:os');
const { basename, dirname, join } = require('node:path');
const vm = require('node:vm');

const BUILD_ID = /^\/\/ build ([0-9a-f]{16,64})\n/;
const DIGEST = 32;
/**
 * V8 caches the functions compiled so far: a cache written after `--version` lacks what a plan runs, which
 * then compiles it on every run (~25 ms). So the runs that use a young cache write it again, grown by what
 * they compiled (~10 ms each), up to this many times; then it stays as it is.
 */
const GROWTH_RUNS = 4;
const sha256 = (bytes) => createHash('sha256').update(bytes).digest();

/** Where a cache may live: beside the script, then the user's cache folder. */
function cacheFolders(file, env = process.env) {
  const user = env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : '');
  return [dirname(file), ...(user ? [join(user, 'cluster-cli')] : [])];
}

/**
 * Runs the CommonJS script `file` and gives its exports; `kind` names which of its caches to use (runs
 * that run the same code: one command). `cache`: what happened to the code cache
 * ('used', 'rejected', 'missing', or 'none' when the script has no build id). `save()` writes the
 * cache when it was not used, or grows a young one (GROWTH_RUNS), best after the run: V8 then includes
 * the functions the run compiled.
 * The script cannot import(): one compiled from a cache has lost what import() needs (node keeps it out
 * of V8's cache); give it an import function.
 */
function loadScript(file, { folders = cacheFolders(file), kind = '' } = {}) {
  const source = readSource(file);
  const id = BUILD_ID.exec(source)?.[1]?.slice(0, 16);
  // `kind`: runs of one kind share a cache (bin/cache-kind.js: the launcher's is the command).
  const name = id && `${basename(file)}.${id}.${variant()}${/^[a-z][a-z-]{0,31}$/.test(kind) ? `.${kind}` : ''}.v8cache`;
  const read = name ? readCache(folders, name) : undefined;
  // V8 does not check a cache's content (a flipped byte crashes node while it deserializes): the file is
  // its sha256, then how many runs wrote it (one byte), then V8's data.
  const whole = read && read.length > DIGEST + 1 && sha256(read.subarray(DIGEST)).equals(read.subarray(0, DIGEST));
  const found = whole ? read.subarray(DIGEST + 1) : undefined;
  const written = whole ? read[DIGEST] : 0;
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: file, ...(found ? { cachedData: found } : {}) });
  const cache = !name ? 'none' : !read ? 'missing' : !found || script.cachedDataRejected ? 'rejected' : 'used';
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const save = () => {
    if (cache === 'missing' || cache === 'rejected') writeCache(folders, basename(file), id, name, script, 1);
    else if (cache === 'used' && written <= GROWTH_RUNS) writeCache(folders, basename(file), id, name, script, written + 1);
  };
  return { exports: module.exports, cache, save };
}

/**
 * The script's text. The build makes the bundle ASCII (scripts/bundle.mjs): read as latin1, its 1.8 MB
 * become a string without decoding UTF-8 (~8 ms of every start → ~1 ms); any other file is decoded.
 */
function readSource(file) {
  const bytes = readFileSync(file);
  return isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.toString('utf8');
}

/** V8 refuses a cache made by another V8 or under other flags; node's own flags (execArgv, NODE_OPTIONS) name it apart, so two kinds of run do not keep replacing each other's. */
function variant() {
  const flags = createHash('sha256').update(`${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS ?? ''}`).digest('hex').slice(0, 8);
  return `${process.version}-${process.arch}-${flags}`;
}

function readCache(folders, name) {
  for (const folder of folders) {
    try {
      return readFileSync(join(folder, name));
    } catch {
      // not there, or not readable: the next folder, or none
    }
  }
  return undefined;
}

function writeCache(folders, script, id, name, compiled, runs) {
  let data;
  try {
    data = compiled.createCachedData();
  } catch {
    return;
  }
  for (const folder of folders) {
    const temp = join(folder, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      mkdirSync(folder, { recursive: true });
      const body = Buffer.concat([Buffer.from([runs]), data]);
      writeFileSync(temp, Buffer.concat([sha256(body), body]));
      renameSync(temp, join(folder, name));
    } catch {
      try {
        rmSync(temp, { force: true });
      } catch {
        // the folder itself is not there
      }
      continue;
    }
    pruneStale(folder, script, id);
    return;
  }
}

/**
 * Another build's caches (a day old: two installs side by side must not keep removing each other's),
 * and temporary files a run killed half-way left (an hour old: none is still being written).
 */
function pruneStale(folder, script, id) {
  const now = Date.now();
  for (const f of readdirSync(folder)) {
    const otherBuild = f.startsWith(`${script}.`) && f.endsWith('.v8cache') && !f.startsWith(`${script}.${id}.`);
    const leftover = f.startsWith(`.${script}.`) && f.endsWith('.tmp');
    if (!otherBuild && !leftover) continue;
    try {
      if (now - statSync(join(folder, f)).mtimeMs > (otherBuild ? 86_400_000 : 3_600_000)) rmSync(join(folder, f), { force: true });
    } catch {
      // gone meanwhile
    }
  }
}

exports.cacheFolders = cacheFolders;
exports.loadScript = loadScript;
