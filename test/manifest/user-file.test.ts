// The one reader of user-named files: only regular files, bounded, every failure a sentence naming
// the file. Each case here hung, ran out of memory or printed a raw errno before.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readUserFile } from '../../src/manifest/user-file.js';

const dir = mkdtempSync(join(tmpdir(), 'user-file-'));

function refused(path: string, maxBytes?: number): string {
  const r = readUserFile(path, { what: 'the manifest', ...(maxBytes ? { maxBytes } : {}) });
  if (r.ok) throw new Error(`${path} was read`);
  expect(r.message).toContain(`cannot read the manifest ${path}: `);
  return r.message;
}

describe('readUserFile', () => {
  test('reads a regular file whole', () => {
    writeFileSync(join(dir, 'ok.yml'), 'name: x\n');
    const r = readUserFile(join(dir, 'ok.yml'), { what: 'the manifest' });
    expect(r.ok && r.bytes.toString()).toBe('name: x\n');
  });

  test('a FIFO is refused without opening it (opening would wait for a writer forever)', () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(refused(fifo)).toMatch(/named pipe \(FIFO\), not a regular file$/);
  });

  test('devices, directories and kernel files are refused', () => {
    expect(refused('/dev/zero')).toMatch(/it is a device, not a regular file$/);
    expect(refused('/dev/urandom')).toMatch(/it is a device/);
    expect(refused('/proc/self/pagemap')).toMatch(/kernel file under \/proc/);
    mkdirSync(join(dir, 'folder'), { recursive: true });
    expect(refused(join(dir, 'folder'))).toMatch(/it is a directory$/);
  });

  test('a file over the limit is refused from its size, saying the limit', () => {
    const big = join(dir, 'big.yml');
    writeFileSync(big, '');
    truncateSync(big, 50 * 1024 * 1024); // sparse: the size is what is checked, nothing is read
    expect(refused(big)).toMatch(/it is 50 MB, more than the limit of 10 MB$/);
    writeFileSync(join(dir, 'small.yml'), 'x'.repeat(2048));
    expect(refused(join(dir, 'small.yml'), 1024)).toMatch(/more than the limit of 1 KB$/);
  });

  test('a missing file says so and is marked missing (callers decide whether that is an error)', () => {
    const r = readUserFile(join(dir, 'nope.yml'), { what: 'the manifest' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.missing).toBe(true);
    expect(!r.ok && r.message).toMatch(/it does not exist \(ENOENT\)$/);
    expect(refused(join(dir, 'ok.yml', 'below'))).toMatch(/not a directory \(ENOTDIR\)$/);
  });
});
