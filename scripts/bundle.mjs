// Bundles the compiled CLI (dist/cli/main.js and the ~600 modules it imports) into dist/bundle/:
// Node's ESM loader spends most of a short command's start resolving, reading and linking that many
// files. Packages stay external (loaded from node_modules as before); lazily imported drivers stay
// separate chunks. The schema validator sits beside the bundle, where src/manifest/validate.ts looks
// for it (relative to the module), and the schema two levels up, as from dist/manifest/.
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const out = join(root, 'dist', 'bundle');
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'dist', 'cli', 'main.js')],
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
copyFileSync(join(root, 'dist', 'manifest', 'cluster-schema.validator.cjs'), join(out, 'cluster-schema.validator.cjs'));
