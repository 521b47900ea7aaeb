#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/, bundled into dist/bundle/main.cjs (scripts/bundle.mjs;
// built by `npm install` / `npm ci` via "prepare"), loaded with a V8 code cache (./code-cache.js).
// CommonJS (./package.json): node starts an ES module entry ~7 ms of CPU slower.
'use strict';
const { join } = require('node:path');
const { cacheKind } = require('./cache-kind.js');
const { loadScript } = require('./code-cache.js');

// The bundle's import() of ES modules (src/ui/esm-packages.ts) goes through this module's: a script
// compiled from a code cache cannot import() itself.
globalThis[Symbol.for('cluster-cli.import')] = (specifier) => import(specifier);

// The command is done, and every wait in it had a bound; what can still hold the process open is a
// request to an engine that stopped answering (a paused machine), which the OS gives up on only
// after minutes. Let what was written drain (bounded: a closed pipe never drains), then leave.
const drained = (s) =>
  new Promise((done) => {
    if (s.writableLength === 0 || s.destroyed) return done();
    for (const e of ['drain', 'error', 'close']) s.once(e, done);
    setTimeout(done, 2000);
  });

(async () => {
  const bundle = loadScript(join(__dirname, '..', 'dist', 'bundle', 'main.cjs'), { kind: cacheKind(process.argv.slice(2)) });
  const code = await bundle.exports.main(process.argv.slice(2));
  bundle.save();
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
})();
