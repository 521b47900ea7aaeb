// Bad input through the real binary on sim: each case below hung, ran out of memory, printed a raw
// errno or a stack, or echoed a file's content before. Now each exits 1 with an error naming the file
// (at line:col where the value has one) and no stack trace. A run that hangs is killed by the spawn
// timeout (20 s, generous for a busy 2-core machine) and then fails `code 1` (a killed run has none);
// these all take well under a second when idle.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { background } from '../support/background.js';
import { cluster, type Run } from '../support/cli.js';

const STACK = /^\s+at .+:\d+:\d+\)?$/m;
const HANG_MS = 20_000;

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'cluster-bad-input-'));
}

function fifo(dir: string, name = 'pipe'): string {
  const path = join(dir, name);
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
  return path;
}

/** Runs the CLI and checks the common contract: exit 1 (so it did not hang), no stack, nothing on stdout. */
function refused(args: string[], cwd: string): Run {
  const started = Date.now();
  const r = cluster(args, { cwd, timeoutMs: HANG_MS });
  expect(r.code, `${args.join(' ')} (after ${Date.now() - started} ms)\n${r.stderr}`).toBe(1);
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stderr).not.toMatch(/\bE(ISDIR|IO|NOENT|ACCES)\b:/); // a raw errno message
  return r;
}

const manifest = (extra: string) => `name: bad\nmachines:\n  m:\n    driver: sim\n${extra}`;

describe('machine count and scale limits, at the offending value, before anything is allocated', () => {
  for (const [value, message] of [
    ['1e12', 'count must be a whole number from 1 to 100,000 (got 1000000000000)'],
    ['4294967295', 'count must be a whole number from 1 to 100,000 (got 4294967295)'],
    ['50000000', 'count must be a whole number from 1 to 100,000 (got 50000000)'],
    ['-2', 'count must be a whole number from 1 to 100,000 (got -2)'],
    ['2.5', 'count must be a whole number from 1 to 100,000 (got 2.5)'],
  ]) {
    test(`count: ${value}`, () => {
      const dir = folder();
      writeFileSync(join(dir, 'cluster.yml'), manifest(`    count: ${value}\n`));
      const r = refused(['plan'], dir);
      expect(r.stderr).toContain(`cluster.yml:5:12: error: ${message}`);
    });
  }

  test('counts adding up past 100,000 machines: the count that crosses the limit', () => {
    const dir = folder();
    writeFileSync(join(dir, 'cluster.yml'), 'name: bad\nmachines:\n  a: { driver: sim, count: 60000 }\n  b: { driver: sim, count: 60000 }\n');
    expect(refused(['validate'], dir).stderr).toContain('cluster.yml:4:28: error: this count brings the cluster to 120,000 machines, more than the limit of 100,000');
  });

  test('scales adding up past 2,000,000 replicas (ten services of a million each ran Node out of memory)', () => {
    const dir = folder();
    const services = Array.from({ length: 10 }, (_, i) => `  s${i}: { image: busybox, scale: 1000000 }\n`).join('');
    writeFileSync(join(dir, 'cluster.yml'), manifest(`services:\n${services}`));
    expect(refused(['validate'], dir).stderr).toContain('cluster.yml:8:32: error: this scale brings the cluster to 3,000,000 replicas, more than the limit of 2,000,000');
  });

  for (const [line, message] of [
    ['deploy: { replicas: 1e12 }', '4:25: error: scale 1000000000000 is absurd'],
    ['scale: 4294967295', '4:12: error: scale 4294967295 is absurd'],
    ['scale: -1', '4:12: error: scale must be a whole number ≥ 0 (got -1)'],
  ]) {
    test(`a compose service's ${line}`, () => {
      const dir = folder();
      writeFileSync(join(dir, 'compose.yml'), `services:\n  web:\n    image: busybox\n    ${line}\n`);
      writeFileSync(join(dir, 'cluster.yml'), manifest('compose: compose.yml\n'));
      expect(refused(['plan'], dir).stderr).toContain(`compose.yml:${message}`);
    });
  }
});

describe('only regular files are read, each failure a sentence naming the file', () => {
  test('-f naming a FIFO, /dev/zero, /dev/urandom, /proc/self/pagemap or a directory', () => {
    const dir = folder();
    const pipe = fifo(dir);
    mkdirSync(join(dir, 'folder'));
    for (const [path, why] of [
      [pipe, 'it is a named pipe (FIFO), not a regular file'],
      ['/dev/zero', 'it is a device, not a regular file'],
      ['/dev/urandom', 'it is a device, not a regular file'],
      ['/proc/self/pagemap', 'it is a kernel file under /proc, not a regular file'],
      [join(dir, 'folder'), 'it is a directory'],
    ]) {
      expect(refused(['plan', '-f', path!], dir).stderr).toContain(`error: cannot read the manifest ${path}: ${why}`);
    }
  });

  test('a 50 MB manifest is refused from its size, saying the limit', () => {
    const dir = folder();
    writeFileSync(join(dir, 'cluster.yml'), manifest(''));
    truncateSync(join(dir, 'cluster.yml'), 50 * 1024 * 1024);
    expect(refused(['plan'], dir).stderr).toContain(`error: cannot read the manifest ${join(dir, 'cluster.yml')}: it is 50 MB, more than the limit of 10 MB`);
  });

  test('a big map under the size limit parses in linear time (yaml checked each key against all earlier ones)', async () => {
    // 60,000 labels, 3.5 MB: about two seconds when idle; the quadratic check took over a minute.
    // Run in a child process, so this test never holds the worker's event loop.
    const dir = folder();
    const labels = Array.from({ length: 60_000 }, (_, i) => `      label-${i}: "${'v'.repeat(40)}"\n`).join('');
    writeFileSync(join(dir, 'cluster.yml'), manifest(`services:\n  web:\n    image: busybox\n    labels:\n${labels}      label-7: again\n`));
    const run = background(['validate'], { cwd: dir });
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 40_000);
    const code = await run.exited();
    clearTimeout(timer);
    expect(code, run.output()).toBe(1);
    expect(run.output()).toContain(`cluster.yml:60009:7: error: duplicate key`);
  }, 60_000);

  test('30,000 broken services: the first 50 errors and a count, in linear time', async () => {
    // Locating each service's error searched the services map from the start (n² for n services),
    // and every error re-read the file to show its line.
    const dir = folder();
    const services = Array.from({ length: 30_000 }, (_, i) => `  s${i}: { image: x, scale: -1 }\n`).join('');
    writeFileSync(join(dir, 'cluster.yml'), manifest(`services:\n${services}`));
    const run = background(['validate'], { cwd: dir });
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 40_000);
    const code = await run.exited();
    clearTimeout(timer);
    expect(code, run.output().slice(-2000)).toBe(1);
    expect(run.output().match(/: error: /g)).toHaveLength(50);
    expect(run.output()).toContain('cluster.yml:6:26: error: scale must be a whole number ≥ 0 (got -1)');
    expect(run.output()).toContain('... and 29950 more errors (fix the ones above first)');
  }, 60_000);

  test('a compose file of 20,000 broken services: validated one service at a time, in linear time', async () => {
    // ajv copies every error so far each time a service ($ref) fails: 90 s for this file before.
    const dir = folder();
    const services = Array.from({ length: 20_000 }, (_, i) => `  s${i}: { image: x, ports: [{ bad: 1 }], bogus: 2 }\n`).join('');
    writeFileSync(join(dir, 'compose.yml'), `services:\n${services}`);
    const run = background(['validate', '-c', 'compose.yml'], { cwd: dir });
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 40_000);
    const code = await run.exited();
    clearTimeout(timer);
    expect(code, run.output().slice(-2000)).toBe(1);
    expect(run.output()).toContain('compose.yml:2:40: error: unknown key `bogus` in services.s0');
    expect(run.output()).toContain('compose.yml:2:29: error: unknown key `bad` in services.s0.ports[0]');
    expect(run.output()).toContain('... and 39950 more errors');
  }, 60_000);

  test('-c naming a FIFO; env_file, label_file and a secret file naming a FIFO or a device, at their entry', () => {
    const dir = folder();
    const pipe = fifo(dir);
    expect(refused(['plan', '-c', pipe], dir).stderr).toContain(`error: cannot read the compose file ${pipe}: it is a named pipe`);

    writeFileSync(join(dir, 'compose.yml'), 'services:\n  web:\n    image: busybox\n    env_file: pipe\n    label_file: /dev/zero\n');
    const env = refused(['plan', '-c', 'compose.yml'], dir).stderr;
    expect(env).toContain(`compose.yml:4:15: error: cannot read env_file ${pipe}: it is a named pipe (FIFO), not a regular file`);
    expect(env).toContain('compose.yml:5:17: error: cannot read label_file /dev/zero: it is a device, not a regular file');

    for (const source of ['/dev/urandom', './pipe', '/proc/self/pagemap']) {
      writeFileSync(join(dir, 'secret.yml'), `services:\n  web:\n    image: busybox\n    secrets: [db]\nsecrets:\n  db:\n    file: ${source}\n`);
      expect(refused(['plan', '-c', 'secret.yml'], dir).stderr).toMatch(/secret\.yml:7:11: error: cannot read the file of secret db \S+: it is a (device|named pipe|kernel file)/);
    }
  });

  test('a .env that is a directory names it', () => {
    const dir = folder();
    const app = join(dir, 'app'); // run from another folder: the test's secret scan reads the cwd's .env
    mkdirSync(join(app, '.env'), { recursive: true });
    writeFileSync(join(app, 'cluster.yml'), manifest(''));
    expect(refused(['plan', '-f', join(app, 'cluster.yml')], dir).stderr).toContain(`error: cannot read the env file ${join(app, '.env')}: it is a directory`);
  });

  test('include: [/etc/passwd] says it is not a compose file and shows none of it', () => {
    const dir = folder();
    writeFileSync(join(dir, 'compose.yml'), 'include:\n  - /etc/passwd\nservices:\n  web: { image: busybox }\n');
    const r = refused(['plan', '-c', 'compose.yml'], dir);
    expect(r.stderr).toContain('compose.yml:2:5: error: include /etc/passwd: not a compose file: its top level is not a map of keys');
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n').filter(Boolean)) expect(r.stderr).not.toContain(line);
    expect(r.stderr.match(/^\s+\d+ \| .*$/gm)).toEqual(['  2 |   - /etc/passwd']); // the include entry, nothing of the file
  });

  test('a saved plan that is a FIFO is refused, naming it', () => {
    const dir = folder();
    writeFileSync(join(dir, 'cluster.yml'), manifest(''));
    const pipe = fifo(dir, 'saved.plan');
    expect(refused(['apply', pipe], dir).stderr).toContain(`error: cannot read the saved plan ${pipe}: it is a named pipe`);
  });

  test('--interval 0 is refused for watch and apply --watch', () => {
    const dir = folder();
    writeFileSync(join(dir, 'cluster.yml'), manifest(''));
    expect(refused(['watch', '--interval', '0'], dir).stderr).toContain("option '--interval <seconds>' argument '0' is invalid. expected whole seconds from 1 to 86400");
    expect(refused(['apply', '--watch', '--interval', '0'], dir).stderr).toContain('expected whole seconds from 1 to 86400');
  });
});

describe('sim state: corrupt files explained, previous version kept, temp files of killed writers removed', () => {
  function applied(): { dir: string; state: string } {
    const dir = folder();
    writeFileSync(join(dir, 'cluster.yml'), manifest(''));
    expect(cluster(['apply', '--auto-approve'], { cwd: dir, timeoutMs: HANG_MS }).code).toBe(0);
    writeFileSync(join(dir, 'cluster.yml'), manifest('    count: 2\n'));
    expect(cluster(['apply', '--auto-approve'], { cwd: dir, timeoutMs: HANG_MS }).code).toBe(0);
    return { dir, state: join(dir, '.cluster', 'bad.sim.json') };
  }

  test('a corrupt state file names the file and how to restore the previous state; restoring works', () => {
    const { dir, state } = applied();
    expect(existsSync(`${state}.bak`)).toBe(true);
    for (const body of ['null', '{', '{"format":2,"cluster":"bad","next":{},"templates":[],"machines":[5],"swarms":[]}']) {
      writeFileSync(state, body);
      const r = refused(['plan'], dir);
      expect(r.stderr).toContain(`error: cannot read the simulated cluster state ${state}: `);
      expect(r.stderr).toContain(`hint: restore the previous state with \`cp ${state}.bak ${state}\``);
    }
    spawnSync('cp', [`${state}.bak`, state]);
    expect(cluster(['plan', '--detailed-exitcode'], { cwd: dir, timeoutMs: HANG_MS }).code).not.toBe(1);
  });

  test('the state path being a directory is a sentence, not EISDIR', () => {
    const dir = folder();
    writeFileSync(join(dir, 'cluster.yml'), manifest(''));
    mkdirSync(join(dir, '.cluster', 'bad.sim.json'), { recursive: true });
    expect(refused(['plan'], dir).stderr).toContain(`cannot read the simulated cluster state ${join(dir, '.cluster', 'bad.sim.json')}: it is not a regular file`);
  });

  test('temp files left by a kill -9 (a dead writer, or an old write-file-atomic one) are removed by the next run', () => {
    const { dir, state } = applied();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const leftovers = [`${state}.${dead}.7.tmp`, `${state}.3735928559`];
    for (const f of leftovers) writeFileSync(f, '{"half":');
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(leftovers[1]!, old, old);
    expect(cluster(['plan'], { cwd: dir, timeoutMs: HANG_MS }).code).toBe(0);
    expect(readdirSync(join(dir, '.cluster')).filter((f) => f.startsWith('bad.sim.json'))).toEqual(['bad.sim.json', 'bad.sim.json.bak']);
  });
});

describe('protect: true belongs to its cluster', () => {
  test("two clusters in one folder: applying b neither erases nor borrows a's protection", () => {
    const dir = folder();
    const run = (file: string, args: string[]) => cluster([...args, '-f', file], { cwd: dir, timeoutMs: HANG_MS });
    writeFileSync(join(dir, 'a.yml'), 'name: pa\nmachines:\n  keep: { driver: sim, protect: true }\n  other: { driver: sim }\n');
    writeFileSync(join(dir, 'b.yml'), 'name: pb\nmachines:\n  keep: { driver: sim }\n');
    expect(run('a.yml', ['apply', '--auto-approve']).code).toBe(0);
    expect(run('b.yml', ['apply', '--auto-approve']).code).toBe(0);

    // a's protected machine, dropped from a's manifest: still refused after b's apply.
    writeFileSync(join(dir, 'a.yml'), 'name: pa\nmachines:\n  other: { driver: sim }\n');
    const a = run('a.yml', ['apply', '--auto-approve']);
    expect(a.code).toBe(1);
    expect(a.stdout + a.stderr).toContain('machine keep is protected (protect: true) and this plan would remove it');

    // b's machine of the same name was never protected: b may remove it.
    writeFileSync(join(dir, 'b.yml'), 'name: pb\nmachines:\n  new: { driver: sim }\n');
    const b = run('b.yml', ['apply', '--auto-approve']);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, '.cluster', 'protected', 'pa.json'), 'utf8'))).toEqual({ cluster: 'pa', machines: ['keep'] });
    expect(existsSync(join(dir, '.cluster', 'protected', 'pb.json'))).toBe(false);
  });

  test('the old per-folder list still guards, with a warning naming it, and is never rewritten', () => {
    const dir = folder();
    writeFileSync(join(dir, 'cluster.yml'), 'name: pc\nmachines:\n  keep: { driver: sim }\n');
    expect(cluster(['apply', '--auto-approve'], { cwd: dir, timeoutMs: HANG_MS }).code).toBe(0);
    writeFileSync(join(dir, '.cluster', 'protected.json'), '["keep"]\n');
    writeFileSync(join(dir, 'cluster.yml'), 'name: pc\nmachines:\n  new: { driver: sim }\n');
    const r = refused(['apply', '--auto-approve'], dir);
    expect(r.stderr).toContain(`warning: ${join(dir, '.cluster', 'protected.json')} (from an older version) does not say which cluster it protects: keep of cluster pc stays protected by it.`);
    expect(r.stdout + r.stderr).toContain('machine keep is protected');
    expect(readFileSync(join(dir, '.cluster', 'protected.json'), 'utf8')).toBe('["keep"]\n');
  });

  test('a corrupt protection record is an error naming it, not silently no protection', () => {
    const dir = folder();
    writeFileSync(join(dir, 'cluster.yml'), 'name: pd\nmachines:\n  keep: { driver: sim, protect: true }\n');
    expect(cluster(['apply', '--auto-approve'], { cwd: dir, timeoutMs: HANG_MS }).code).toBe(0);
    const record = join(dir, '.cluster', 'protected', 'pd.json');
    writeFileSync(record, '{');
    expect(refused(['plan'], dir).stderr).toContain(`error: the protection record ${record} is corrupt`);
  });
});
