// `volumes:` entries read as compose-go's format.ParseVolume reads the short syntax (SOURCE:TARGET:OPTIONS,
// . / ~ make a bind mount), the same from cluster.yml and compose files; what cluster does not honour
// (an option such as nocopy or z, a long-syntax key such as `bind:`) is a warning naming it, never dropped.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadManifest } from '../../src/manifest/index.js';
import { parseVolume } from '../../src/manifest/service.js';

function read(v: unknown) {
  const problems: string[] = [];
  const notices: string[] = [];
  const volumes = parseVolume(v, '/app', (m) => problems.push(m), (m) => notices.push(m));
  return { volumes, problems, notices };
}

describe('parseVolume follows format.ParseVolume', () => {
  test('sources, targets and ro/rw', () => {
    expect(read('data:/d:ro').volumes).toEqual([{ type: 'volume', source: 'data', target: '/d', readOnly: true }]);
    expect(read('./x:/x').volumes).toEqual([{ type: 'bind', source: '/app/x', target: '/x', readOnly: false }]);
    expect(read('/cache').volumes).toEqual([{ type: 'volume', target: '/cache', readOnly: false }]);
    expect(read('/h:/c:rw').volumes).toEqual([{ type: 'bind', source: '/h', target: '/c', readOnly: false }]);
  });

  test('options cluster does not honour are named, not dropped', () => {
    const r = read('data:/d:ro,nocopy,z');
    expect(r.volumes).toEqual([{ type: 'volume', source: 'data', target: '/d', readOnly: true }]);
    expect(r.notices).toEqual(['volume option `nocopy` of /d is not supported by cluster yet and is ignored', 'volume option `z` of /d is not supported by cluster yet and is ignored']);
    expect(read({ type: 'volume', source: 'data', target: '/d', volume: { nocopy: true } }).notices).toEqual(['`volume` of volume /d is not supported by cluster yet and is ignored']);
  });

  test('too many colons, an empty section, a relative target, an unknown type, no target are errors', () => {
    for (const v of ['a:/b:ro:x', 'a::/b', 'data:rel', '', { type: 'npipe', target: '/p' }, { type: 'volume', source: 'x' }]) {
      const r = read(v);
      expect(r.volumes).toEqual([]);
      expect(r.problems).toHaveLength(1);
    }
  });
});

describe('a compose volume option cluster ignores is a warning at its entry', () => {
  test('from a compose file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'volumes-'));
    writeFileSync(join(dir, 'compose.yml'), 'services:\n  web:\n    image: nginx\n    volumes:\n      - data:/d:nocopy\nvolumes:\n  data: {}\n');
    writeFileSync(join(dir, 'cluster.yml'), 'name: t\nmachines:\n  m: { driver: sim }\ncompose: compose.yml\n');
    const r = loadManifest(join(dir, 'cluster.yml'), { env: {} });
    if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
    expect(r.warnings.map((w) => `${w.file.endsWith('compose.yml')}:${w.line}:${w.col} ${w.message}`)).toContain('true:5:9 volume option `nocopy` of /d is not supported by cluster yet and is ignored');
  });
});
