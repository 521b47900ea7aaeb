// Bundles the CLI (src/cli/main.ts, the ~600 modules it imports and the packages they use) into
// dist/bundle/, straight from the TypeScript sources: `tsc --noEmit` type-checks, esbuild only strips the
// types, so the build does not compile the sources twice. A short command's start is mostly Node's module
// loader resolving, reading and linking files: one bundle with its packages inside reads a few files
// instead of ~250 from node_modules. Lazily imported modules (drivers, the live view) stay separate chunks.
// Kept out: ssh2 and cpu-features load native addons by relative path; ink (with react and ink-spinner,
// which must be the ones ink uses) reads its package.json beside itself under DEV=true, and runs only at a
// terminal, in the chunk loaded for the live view. The schema validator is written beside the bundle afterwards
// (scripts/build-validator.mjs), where src/manifest/validate.ts looks for it (relative to the module),
// and the schema two levels up.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

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
const out = join(root, 'dist', 'bundle');
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  tsconfig: join(root, 'tsconfig.json'),
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ssh2', 'cpu-features', 'ink', 'ink-spinner', 'react', SESSION],
  plugins: [lazyDockerodeParts, lazyModemSsh],
  // The packages written as CommonJS use require() and __filename (write-file-atomic: to name its
  // temporary files); an ES module has neither.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      'const require = __createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
    ].join(' '),
  },
  logLevel: 'warning',
});
