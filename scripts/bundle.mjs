// Bundles the CLI (src/cli/main.ts, the ~600 modules it imports and the packages they use) into
// dist/bundle/, straight from the TypeScript sources: `tsc --noEmit` type-checks, esbuild only strips the
// types, so the build does not compile the sources twice. A short command's start is mostly Node's module
// loader resolving, reading and linking files: one bundle with its packages inside reads a few files
// instead of ~250 from node_modules. Lazily imported modules (drivers, the live view) are evaluated when
// first imported. Kept out: ssh2 and cpu-features load native addons by relative path; ink (with react and
// ink-spinner, which must be the ones ink uses) reads its package.json beside itself under DEV=true, and
// runs only at a terminal, for the live view. The schema's validator is compiled into the bundle
// (scripts/build-validator.mjs); src/manifest/validate.ts finds the schema itself two levels up.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { validatorSource } from './build-validator.mjs';

const root = join(import.meta.dirname, '..');

// dockerode's lib/session.js loads gRPC and protobuf (~1 MB of code to compile) for BuildKit sessions,
// which only buildImage with version "2" opens (never here); every docker-driver command paid for it at
// start. dockerode's `require('./session')` gets a stand-in that loads the real module from node_modules
// on first call; its lib/buildkit.js (protobuf, and a .proto file read beside it) is required there, when
// used, as before.
const SESSION = 'dockerode/lib/session.js';
const lazyDockerodeParts = {
  name: 'lazy-dockerode-parts',
  setup(b) {
    const inDockerode = (args) => /[\\/]dockerode[\\/]lib$/.test(args.resolveDir);
    b.onResolve({ filter: /^\.\/session$/ }, (args) => (inDockerode(args) ? { path: 'session', namespace: 'lazy-session' } : undefined));
    b.onResolve({ filter: /^\.\/buildkit$/ }, (args) => (inDockerode(args) ? { path: 'dockerode/lib/buildkit.js', external: true } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-session' }, () => ({ contents: `module.exports = function withSession(...args) { return require('${SESSION}')(...args); };`, loader: 'js' }));
  },
};
// docker-modem's lib/modem.js requires ./ssh at load, and ssh.js requires ssh2 (35-45 ms of CPU) at load,
// though only an ssh:// engine calls it. ./ssh gets a stand-in whose first call evaluates the real ssh.js,
// which stays in the bundle: esbuild evaluates a bundled CommonJS module where its require() runs.
const lazyModemSsh = {
  name: 'lazy-docker-modem-ssh',
  setup(b) {
    const inModem = (args) => /[\\/]docker-modem[\\/]lib$/.test(args.resolveDir);
    b.onResolve({ filter: /^\.\/ssh$/ }, (args) => (inModem(args) ? { path: join(args.resolveDir, 'ssh.js'), namespace: 'lazy-ssh' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-ssh' }, (args) => ({
      contents: `module.exports = function sshAgent(opt) { return require(${JSON.stringify(args.path)})(opt); };`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};
// ink and ink-spinner are ES modules (ink's graph with top-level await): a CommonJS bundle cannot require
// them. Their static imports (src/ui/progress-ink.tsx) read what src/ui/esm-packages.ts imported with
// import() before that module is used (through the launcher's import(): see there).
const ESM_ONLY = /^(ink|ink-spinner)$/;
const esmPackages = {
  name: 'esm-packages',
  setup(b) {
    b.onResolve({ filter: ESM_ONLY }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : { path: args.path, namespace: 'esm-package' }));
    b.onLoad({ filter: /.*/, namespace: 'esm-package' }, (args) => {
      // Required when the live view's module is evaluated, after esm-packages.ts filled the registry. esbuild
      // gives a CommonJS module to a default import whole: ink-spinner's stand-in is its default export.
      const loaded = `globalThis[Symbol.for('cluster-cli.esm-packages')]?.[${JSON.stringify(args.path)}]`;
      const missing = `throw new Error('${args.path} was not imported first (src/ui/esm-packages.ts)')`;
      return { contents: `const m = ${loaded}; if (!m) ${missing}; module.exports = ${args.path === 'ink-spinner' ? 'm.default' : 'm'};`, loader: 'js' };
    });
  },
};

// src/manifest/precompiled-schema.ts is replaced by the schema's validator, compiled at build time
// (scripts/build-validator.mjs) and required on first use.
const precompiledSchema = {
  name: 'precompiled-schema',
  setup(b) {
    const inManifest = (args) => /[\\/]src[\\/]manifest$/.test(args.resolveDir);
    b.onResolve({ filter: /^\.\/precompiled-schema\.js$/ }, (args) => (inManifest(args) ? { path: 'stand-in', namespace: 'precompiled-schema' } : undefined));
    b.onResolve({ filter: /^validator-code$/, namespace: 'precompiled-schema' }, () => ({ path: 'validator-code', namespace: 'precompiled-schema' }));
    b.onLoad({ filter: /^stand-in$/, namespace: 'precompiled-schema' }, () => ({ contents: `export function precompiledValidator() { return require('validator-code'); }`, loader: 'js' }));
    b.onLoad({ filter: /^validator-code$/, namespace: 'precompiled-schema' }, () => ({ contents: validatorSource(root), loader: 'js' }));
  },
};

// One CommonJS script, not ES modules: bin/code-cache.js loads it with a V8 code cache, which Node 20
// offers only for a vm.Script. (esbuild splits only ES modules: the drivers' code is in the one file,
// evaluated only when a driver opens.) Its first line is its build id, the hash of the rest, which
// names the cache.
const out = join(root, 'dist', 'bundle');
rmSync(out, { recursive: true, force: true });
const result = await build({
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  tsconfig: join(root, 'tsconfig.json'),
  outfile: join(out, 'main.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['ssh2', 'cpu-features', 'react', SESSION],
  plugins: [lazyDockerodeParts, lazyModemSsh, esmPackages, precompiledSchema],
  // The modules that find files beside themselves (the schema, its compiled validator, the example).
  define: { 'import.meta.url': '__moduleUrl' },
  banner: { js: "'use strict'; const __moduleUrl = require('node:url').pathToFileURL(__filename).href;" },
  write: false,
  logLevel: 'warning',
  // Without comments and indentation the script is 1.8 MB instead of 2.5: every start reads and makes a
  // string of less. Names stay as written (no minified identifiers), so an internal error still names its function.
  minifyWhitespace: true,
});
mkdirSync(out, { recursive: true });
for (const file of result.outputFiles) {
  // ASCII, so bin/code-cache.js makes its string without decoding UTF-8 (esbuild escapes strings, not
  // regex literals). Another character only slows every start (test/cli/code-cache.test.ts fails).
  const odd = /[^\x00-\x7f]/.exec(file.text);
  if (odd) console.warn(`${file.path}: a non-ASCII character ${JSON.stringify(odd[0])} near ${JSON.stringify(file.text.slice(Math.max(0, odd.index - 60), odd.index + 20))}: write it as a \\u escape in the source`);
  const id = createHash('sha256').update(file.contents).digest('hex');
  writeFileSync(file.path, `// build ${id}\n${file.text}`);
}
