import { isGlobal, type Desired } from '../../model/desired.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import { jsonDocument } from '../../ui/json.js';
import { loadManifestWithOptions, manifestOptions, usesDefaultMachines } from '../manifest-options.js';
import { loadDesired } from '../pipeline.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** A global service has no replica count: one per eligible machine, known only when placed. */
function counts(d: Desired): { replicas: number; global: number } {
  const global = d.services.filter(isGlobal);
  return { replicas: d.services.filter((s) => !global.includes(s)).reduce((n, s) => n + s.scale, 0), global: global.length };
}
const asJson = (d: Diagnostic) => ({ severity: d.severity, file: d.file, line: d.line, col: d.col, message: d.message, hint: d.hint ?? null });

export function validateCommand(opts: { file: string; json?: boolean }): number {
  if (opts.json) {
    // Errors and warnings as data on stdout (exit 1 when invalid), not as text on stderr.
    const r = loadManifestWithOptions(opts.file);
    if (!r.ok) {
      process.stdout.write(jsonDocument({ valid: false, diagnostics: r.diagnostics.map(asJson) }));
      return 1;
    }
    const d = r.desired;
    const c = counts(d);
    process.stdout.write(jsonDocument({ valid: true, cluster: d.name, machines: d.machines.length, services: d.services.length, replicas: c.replicas, global_services: c.global, diagnostics: r.warnings.map(asJson) }));
    return 0;
  }
  const desired = loadDesired(opts.file);
  const c = counts(desired);
  const shown = `${plural(c.replicas, 'replica')}${c.global ? `, ${c.global} global: one per machine` : ''}`;
  // The files read: `-c` compose files beside the manifest, or instead of it (the default machines).
  const files = [...(usesDefaultMachines(opts.file) ? [] : [opts.file]), ...manifestOptions().compose];
  process.stdout.write(`${files.join(', ')} ${files.length === 1 ? 'is' : 'are'} valid: cluster "${desired.name}", ${plural(desired.machines.length, 'machine')}, ${plural(desired.services.length, 'service')} (${shown}).\n`);
  return 0;
}
