#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/, bundled into dist/bundle/ (scripts/bundle.mjs; built
// by `npm install` / `npm ci` via "prepare").
import { main } from '../dist/bundle/main.js';

const code = await main(process.argv.slice(2));
// The command is done, and every wait in it had a bound; what can still hold the process open is a
// request to an engine that stopped answering (a paused machine), which the OS gives up on only
// after minutes. Let what was written drain (bounded: a closed pipe never drains), then leave.
const drained = (s) =>
  new Promise((done) => {
    if (s.writableLength === 0 || s.destroyed) return done();
    for (const e of ['drain', 'error', 'close']) s.once(e, done);
    setTimeout(done, 2000);
  });
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
