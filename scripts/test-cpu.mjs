// Where the test suite's CPU goes: runs `vitest run <args>` with CLUSTER_TEST_CPU_LOG set (each test file
// logs its fork's CPU and its spawned CLIs', test/support/cpu-log.ts) and prints the files by CPU, the
// whole run's CPU (vitest and everything it waited for: /proc/self/stat's cutime+cstime once it ended) and
// what the private engine's containers (the Docker-in-Docker machines, cgroup cpuacct `docker/`) used
// meanwhile — that last figure counts any other user of the engine too. Wall time alone misleads on a
// shared machine. Usage: node scripts/test-cpu.mjs [--top N] [vitest args...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 20;
const log = join(mkdtempSync(join(tmpdir(), 'test-cpu-')), 'cpu.jsonl');
const ENGINE_CPU = '/sys/fs/cgroup/cpuacct/docker/cpuacct.usage'; // cgroup v1, dockerd's default parent
const engineCpu = () => (existsSync(ENGINE_CPU) ? Number(readFileSync(ENGINE_CPU, 'utf8')) / 1e9 : NaN);
const childrenCpu = () => {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const [cutime, cstime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(13, 15).map(Number);
  return (cutime + cstime) / 100;
};

const started = { wall: Date.now(), engine: engineCpu() };
const r = spawnSync('npx', ['vitest', 'run', ...args], { stdio: 'inherit', env: { ...process.env, CLUSTER_TEST_CPU_LOG: log } });
const wall = (Date.now() - started.wall) / 1000;
const logged = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
// Files run in shared workers (threads of the vitest process, test/support/cpu-log.ts) have no CPU of their own.
const rows = logged.filter((row) => !row.shared);
const shared = logged.filter((row) => row.shared);
const sum = (f, of = rows) => of.reduce((s, row) => s + f(row), 0);
const fmt = (n) => n.toFixed(1).padStart(7);
// Each file's engine CPU is its own only when the files ran one at a time.
const oneAtATime = args.some((a, i) => (a === '--maxWorkers' && args[i + 1] === '1') || a === '--maxWorkers=1');
if (shared.length) console.log(`\n${shared.length} files ran in shared workers (${sum((x) => x.wall, shared).toFixed(1)} s of wall summed): their CPU is in the whole run's figure below`);
console.log(`\nCPU seconds by test file (fork = vitest in the file's process; spawned = the CLIs it ran), top ${top} of ${rows.length}:`);
const total = (row) => row.self + row.children + (oneAtATime ? row.engine ?? 0 : 0);
for (const row of rows.sort((a, b) => total(b) - total(a)).slice(0, top))
  console.log(`${fmt(row.self + row.children)} = fork ${fmt(row.self)} + spawned ${fmt(row.children)}${oneAtATime ? `   engine ${fmt(row.engine ?? 0)}` : ''}   wall ${fmt(row.wall)}  ${row.file}`);
console.log(`files: fork ${sum((x) => x.self).toFixed(1)} s + spawned ${sum((x) => x.children).toFixed(1)} s`);
console.log(`whole run: ${childrenCpu().toFixed(1)} s CPU (vitest and all it waited for), engine's containers ${(engineCpu() - started.engine).toFixed(1)} s, wall ${wall.toFixed(1)} s`);
process.exit(r.status ?? 1);
