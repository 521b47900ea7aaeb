// The docker driver's daemon.json of a machine: labels and `engine:` options in one file, and the record
// of what the engine took, which is what the plan compares (a write the engine never took is pending).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readAppliedOptions, readDaemonJson, recordAppliedOptions, writeDaemonJson } from '../../src/providers/docker/daemon-json.js';

describe('a machine daemon.json', () => {
  test('options and labels round-trip; labels stay dockerd’s list form', () => {
    const folder = mkdtempSync(join(tmpdir(), 'machine-'));
    writeDaemonJson(folder, { labels: { size: 'xxl', 'a=b': 'c=d' }, options: { 'insecure-registries': ['10.0.0.1:5000'], debug: true } });
    expect(JSON.parse(readFileSync(join(folder, 'daemon.json'), 'utf8'))).toEqual({ debug: true, 'insecure-registries': ['10.0.0.1:5000'], labels: ['a=b=c=d', 'size=xxl'] });
    expect(readDaemonJson(folder).options).toEqual({ debug: true, 'insecure-registries': ['10.0.0.1:5000'] });
    expect(readDaemonJson(folder).labels.size).toBe('xxl');
  });

  test('what the engine took is the record; a file written but never taken is pending until recorded', () => {
    const folder = mkdtempSync(join(tmpdir(), 'machine-'));
    // A machine made before engine options existed: no record, its file's options (none) are what it runs with.
    writeDaemonJson(folder, { labels: { size: 'small' }, options: {} });
    expect(readAppliedOptions(folder)).toEqual({ options: {}, pending: false });
    recordAppliedOptions(folder, {});
    // An apply wrote new options and was killed before the reload: the record still says the old ones.
    writeDaemonJson(folder, { labels: { size: 'small' }, options: { debug: true } });
    expect(readAppliedOptions(folder)).toEqual({ options: {}, pending: true });
    recordAppliedOptions(folder, { debug: true });
    expect(readAppliedOptions(folder)).toEqual({ options: { debug: true }, pending: false });
  });
});
