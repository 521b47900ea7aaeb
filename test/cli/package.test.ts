// What package.json promises (issue 17 point 10): a name that is not npm's unrelated `cluster`, the
// command `cluster`, no dependency that nothing imports, and a schema $id on no domain the project
// does not own.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const root = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; bin: Record<string, string>; dependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { name: string; packages: Record<string, { name?: string; dependencies?: Record<string, string> }> };

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mjs|js)$/.test(e.name))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
}

test('the npm name is ours, the command is cluster, and the lock file agrees', () => {
  expect(pkg.name).toBe('cluster-cli');
  expect(pkg.bin).toEqual({ cluster: 'bin/cluster.js' });
  expect([lock.name, lock.packages['']!.name]).toEqual([pkg.name, pkg.name]);
  expect(lock.packages['']!.dependencies).toEqual(pkg.dependencies);
});

test('every runtime dependency is imported by the code that ships (src, scripts, bin)', () => {
  const code = [...sources('src'), ...sources('scripts'), ...sources('bin')].join('\n');
  // .tsx compiles to react/jsx-runtime imports: react counts as used where a .tsx file exists.
  const unused = Object.keys(pkg.dependencies).filter((dep) => !new RegExp(`(from |import\\(|require\\()'${dep}(/[^']*)?'`).test(code) && !(dep === 'react' && readdirSync(join(root, 'src/ui')).some((f) => f.endsWith('.tsx'))));
  expect(unused).toEqual([]);
});

test('the schema $id is relative: no domain the project does not own', () => {
  const schema = JSON.parse(readFileSync(join(root, 'schema/cluster.schema.json'), 'utf8')) as { $id: string };
  expect(schema.$id).toBe('cluster.schema.json');
});
