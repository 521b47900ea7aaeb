// `npm test`: the build, then the type check and the tests side by side. The type check (~15-20 s of one
// core) used to run before vitest started, on the path of the whole run, while the integration files spend
// much of their first minutes waiting on engines. Both must pass; each prints its own output (tsc only its
// errors), and the last line says which failed. Arguments go to vitest (`npm test -- --project unit`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args) =>
  new Promise((done) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    child.on('error', (err) => (process.stderr.write(`${cmd}: ${err.message}\n`), done(1)));
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });

const built = await run(process.execPath, [join(root, 'scripts', 'bundle.mjs')]);
if (built !== 0) process.exit(built);
const [types, tests] = await Promise.all([run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']), run(bin('vitest'), ['run', ...process.argv.slice(2)])]);
process.stderr.write(`\nnpm test: type check ${types === 0 ? 'passed' : 'FAILED'}, tests ${tests === 0 ? 'passed' : 'FAILED'}\n`);
process.exit(types || tests);
