// A manifest written to a fresh folder and loaded, for tests that start from manifest text.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifest, type LoadResult } from '../../src/manifest/index.js';
import type { Desired } from '../../src/model/desired.js';

export function loadText(text: string): LoadResult {
  const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
  writeFileSync(join(dir, 'cluster.yml'), text);
  return loadManifest(join(dir, 'cluster.yml'), { env: {} });
}

/** The desired state of a manifest that must be valid (its diagnostics otherwise, as the error). */
export function desiredOf(text: string): Desired {
  const r = loadText(text);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n'));
  return r.desired;
}
