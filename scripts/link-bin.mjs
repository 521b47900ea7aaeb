// npm links the bins of dependencies, not the package's own: make `npx cluster` (and
// node_modules/.bin/cluster) work in a clone right after `npm ci`.
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'node_modules', '.bin');
mkdirSync(bin, { recursive: true });
rmSync(join(bin, 'cluster'), { force: true });
symlinkSync(join('..', '..', 'bin', 'cluster.js'), join(bin, 'cluster'));
chmodSync(join(root, 'bin', 'cluster.js'), 0o755);
