// The file lock store (sim's lock) and the lease logic every store shares, on real files and real
// processes: exclusive creation, no moment where the lock file is visible but empty, stale by a dead
// pid or a reused one, stale by an expired lease, release that removes only our own lock.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, lutimesSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { acquire, LockedError, type LeaseTiming } from '../../src/reconcile/lock.js';
import type { LockInfo } from '../../src/providers/lock-store.js';
import { FileLockStore } from '../../src/reconcile/lock-file.js';
import { thisProcess } from '../../src/reconcile/lock-holder.js';

const FAST: LeaseTiming = { ttlMs: 30_000, renewMs: 50, pollMs: 20 };

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'lock-'));
  const file = join(dir, 'lock.json');
  const lines: string[] = [];
  return { dir, file, store: () => new FileLockStore(file), lines, log: (l: string) => lines.push(l) };
}

function info(over: Partial<LockInfo>): LockInfo {
  return { id: 'other123', holder: 'ci@elsewhere pid 7 (apply)', since: new Date().toISOString(), ttlMs: 30_000, ...over };
}

const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('file lock store', () => {
  test('create is exclusive: the second run is told who holds the lock', async () => {
    const { store } = fresh();
    const a = await store().tryCreate(info({ id: 'aaaa1111' }));
    const b = await store().tryCreate(info({ id: 'bbbb2222' }));
    expect('created' in a).toBe(true);
    expect(b).toMatchObject({ held: { info: { id: 'aaaa1111' } } });
  });

  test('the lock file is never visible before its content is complete', async () => {
    const { dir, file } = fresh();
    // Another process takes and releases the lock as fast as it can while this one reads it.
    const source = `
      import { FileLockStore } from ${JSON.stringify(join(import.meta.dirname, '../../src/reconcile/lock-file.ts'))};
      const store = new FileLockStore(${JSON.stringify(file)});
      const until = Date.now() + 1500;
      for (let i = 0; Date.now() < until; i++) {
        const r = await store.tryCreate({ id: 'c' + i, holder: 'x'.repeat(4000), since: new Date().toISOString() });
        if ('created' in r) await store.remove(r.created);
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], { cwd: join(import.meta.dirname, '../..'), stdio: 'inherit' });
    const exited = new Promise((r) => child.once('exit', r));
    let seen = 0;
    let running = true;
    void exited.then(() => (running = false));
    while (running) {
      try {
        const text = readFileSync(file, 'utf8');
        expect(JSON.parse(text).holder).toHaveLength(4000);
        seen++;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(await exited).toBe(0);
    expect(seen).toBeGreaterThan(10);
    expect(readdirSync(dir)).toEqual([]); // no temp file left either
  });

  test('a lock whose process on this host is gone is taken over at once, naming it', async () => {
    const { store, lines, log, file } = fresh();
    const pid = deadPid();
    await store().tryCreate(info({ ...thisProcess(), pid, start: undefined, holder: `me@here pid ${pid} (apply)` }));
    const lock = await acquire(store(), 'apply', 0, log, { timing: FAST });
    expect(lines.join('\n')).toContain(`replaced the stale lock other123 of me@here pid ${pid} (apply)`);
    expect(lines.join('\n')).toContain(`its process ${pid} on this host is gone`);
    expect(JSON.parse(readFileSync(file, 'utf8')).id).toBe(lock.id);
    await lock.release();
  });

  test('a pid reused by a process started at another time does not keep a dead lock alive', async () => {
    const { store, lines, log } = fresh();
    await store().tryCreate(info({ ...thisProcess(), start: '1' })); // our pid, but not our start time
    const lock = await acquire(store(), 'apply', 0, log, { timing: FAST });
    expect(lines.join('\n')).toMatch(/replaced the stale lock other123 .*is gone/);
    await lock.release();
  });

  test('a live holder keeps the lock: fail at once, or wait up to --lock-timeout, naming it', async () => {
    const { store, lines, log } = fresh();
    const holder = await acquire(store(), 'apply', 0, () => undefined, { timing: FAST });
    await expect(acquire(store(), 'apply', 0, log, { timing: FAST })).rejects.toThrow(new RegExp(`locked by .* pid ${process.pid} \\(apply\\) since .*lock ${holder.id}.*cluster unlock --force ${holder.id}`));
    const started = Date.now();
    await expect(acquire(store(), 'apply', 300, log, { timing: FAST })).rejects.toBeInstanceOf(LockedError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(lines[0]).toMatch(/^waiting for the lock held by /);
    // Released while another waits: the waiter gets it.
    const waiter = acquire(store(), 'apply', 5_000, log, { timing: FAST });
    await sleep(100);
    await holder.release();
    await (await waiter).release();
  });

  test('a run waiting for the lock stops at once when its signal aborts (Ctrl-C), taking nothing', async () => {
    const { store, log } = fresh();
    const holder = await acquire(store(), 'apply', 0, () => undefined, { timing: FAST });
    const abort = new AbortController();
    const waiting = acquire(store(), 'apply', 60_000, log, { timing: { ...FAST, pollMs: 5_000 }, signal: abort.signal });
    await sleep(50);
    const started = Date.now();
    abort.abort();
    await expect(waiting).rejects.toThrow(/stopped while waiting for the lock held by .*nothing was changed/);
    expect(Date.now() - started).toBeLessThan(1_000);
    await holder.release();
  });

  test('a lock from another host is stale once its lease ran out, not before', async () => {
    const { store, lines, log, file } = fresh();
    await store().tryCreate(info({ host: 'elsewhere', pid: 7, ttlMs: 2_000 }));
    await expect(acquire(store(), 'apply', 0, log, { timing: FAST })).rejects.toBeInstanceOf(LockedError);
    const old = new Date(Date.now() - 5_000);
    utimesSync(file, old, old); // last renewed 5 s ago
    const lock = await acquire(store(), 'apply', 0, log, { timing: FAST });
    expect(lines.join('\n')).toMatch(/replaced the stale lock other123 .*: it was not renewed for 5 s \(lease 2 s\)/);
    await lock.release();
  });

  test('the holder renews its lease while it runs, and stops when released', async () => {
    const { store, file } = fresh();
    const lock = await acquire(store(), 'apply', 0, () => undefined, { timing: FAST });
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    await sleep(200);
    expect(Date.now() - statSync(file).mtimeMs).toBeLessThan(1_000);
    await lock.release();
    expect(existsSync(file)).toBe(false);
  });

  test('release removes only our own lock; renewal says when the lock is no longer ours', async () => {
    const { store, file, lines, log } = fresh();
    const mine = await acquire(store(), 'apply', 0, log, { timing: FAST });
    // Someone ran `unlock --force ID` and another run took the lock.
    const other = store();
    const taken = (await other.read())!;
    expect(await other.remove(taken)).toBe(true);
    await other.tryCreate(info({ id: 'newer999' }));
    await sleep(200);
    expect(lines.join('\n')).toContain(`the cluster lock ${mine.id} is no longer ours`);
    await mine.release();
    expect(JSON.parse(readFileSync(file, 'utf8')).id).toBe('newer999');
  });

  test('remove() of a stale lock leaves a fresh lock that took its place alone', async () => {
    const { store, file } = fresh();
    const s = store();
    await s.tryCreate(info({ id: 'stale111' }));
    const stale = (await s.read())!;
    await s.remove(stale);
    await store().tryCreate(info({ id: 'fresh222' }));
    expect(await s.remove(stale)).toBe(false); // a late racer that still believes in the stale one
    expect(JSON.parse(readFileSync(file, 'utf8')).id).toBe('fresh222');
  });

  test('an empty lock file (a crash of an earlier version) blocks only briefly, then is replaced with a clear message', async () => {
    const { store, file, lines, log } = fresh();
    writeFileSync(file, '');
    await expect(acquire(store(), 'apply', 0, log, { timing: FAST })).rejects.toThrow(/locked by an unreadable lock/);
    const old = new Date(Date.now() - 10_000);
    utimesSync(file, old, old);
    const lock = await acquire(store(), 'apply', 0, log, { timing: FAST });
    expect(lines.join('\n')).toMatch(/replaced the stale unreadable lock .*: it is empty or unreadable \(left by a crash\)/);
    await lock.release();
  });

  test('temp files of a run killed mid-create are cleaned by the next run that takes the lock', async () => {
    const { store, dir, file, lines, log } = fresh();
    writeFileSync(`${file}.dead0001.tmp`, '{"id":"dead0001"');
    const old = new Date(Date.now() - 120_000);
    utimesSync(`${file}.dead0001.tmp`, old, old);
    const lock = await acquire(store(), 'apply', 0, log, { timing: FAST });
    await lock.swept;
    expect(readdirSync(dir)).toEqual(['lock.json']);
    expect(lines.join('\n')).toContain('left by an interrupted run');
    await lock.release();
  });

  test('the sweep of old debris runs beside the holder\'s work, under the lock: acquire does not wait for it, release does', async () => {
    const { store, file, log } = fresh();
    let letGo!: () => void;
    const gate = new Promise<void>((r) => (letGo = r));
    const seen: string[] = [];
    const slow = store();
    // A leftover whose removal is held back until the test says so, like a slow engine's.
    slow.leftovers = async () => [{ what: 'old debris', remove: async () => {
      await gate;
      seen.push(existsSync(file) ? 'removed while the lock was held' : 'removed after the lock was released');
    } }];
    const lock = await acquire(slow, 'apply', 0, log, { timing: FAST }); // returns although the sweep waits
    let released = false;
    const releasing = lock.release().then(() => (released = true));
    await sleep(50);
    expect(released).toBe(false); // release waits for the sweep...
    expect(existsSync(file)).toBe(true); // ...and keeps the lock until it is done
    letGo();
    await releasing;
    expect(seen).toEqual(['removed while the lock was held']);
    expect(existsSync(file)).toBe(false);
  });

  test('a lock won after a long wait starts its lease when it is created, not when the wait began', async () => {
    const { store, log } = fresh();
    const first = await acquire(store(), 'apply', 0, log, { timing: FAST });
    const waitStarted = Date.now();
    const second = acquire(store(), 'apply', 10_000, log, { timing: FAST });
    await sleep(300);
    const released = Date.now();
    await first.release();
    const lock = await second;
    const held = await store().read();
    // Stores that have no lease time of their own yet (a new lock container) read `since` as the lease:
    // a `since` from before the wait would make a third run take a lock that was just won.
    expect(Date.parse(held!.info!.since)).toBeGreaterThanOrEqual(Math.max(waitStarted + 250, released - 1000));
    await lock.release();
  });

  for (const [what, make] of [
    ['a named pipe (opening it would block for good)', (path: string) => spawnSync('mkfifo', [path])],
    ['a directory', (path: string) => mkdirSync(path)],
    ['a link to /dev/zero', (path: string) => symlinkSync('/dev/zero', path)],
  ] as const) {
    test(`${what} at the lock's path reads as an unreadable lock and is taken over, never opened`, async () => {
      const { file, store, lines, log } = fresh();
      make(file);
      const old = new Date(Date.now() - 60_000);
      lutimesSync(file, old, old);
      const lock = await acquire(store(), 'apply', 5_000, log, { timing: FAST });
      expect(lines.join('\n')).toMatch(/replaced the stale .*empty or unreadable/);
      expect(lstatSync(file).isFile()).toBe(true);
      await lock.release();
      expect(existsSync(file)).toBe(false);
    });
  }

  test('a lock renewed "in the future" or claiming an endless lease cannot block for good', async () => {
    const { file, store, lines, log } = fresh();
    writeFileSync(file, JSON.stringify(info({ id: 'ahead111', host: 'elsewhere' })) + '\n');
    const ahead = new Date(Date.now() + 3_600_000);
    utimesSync(file, ahead, ahead);
    const a = await acquire(store(), 'apply', 0, log, { timing: FAST });
    expect(lines.join('\n')).toMatch(/ahead111.*in the future/);
    await a.release();
    writeFileSync(file, JSON.stringify(info({ id: 'endless1', host: 'elsewhere', ttlMs: 1e308 })) + '\n');
    const old = new Date(Date.now() - 11 * 60_000);
    utimesSync(file, old, old);
    const b = await acquire(store(), 'apply', 0, log, { timing: FAST });
    expect(lines.join('\n')).toMatch(/endless1.*not renewed for/);
    await b.release();
  });
});
