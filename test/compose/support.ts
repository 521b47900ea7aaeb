// Loading fixture compose files in tests: the project when it must load, the diagnostics when it must not.
import { join } from 'node:path';
import { loadCompose, type ComposeProject, type ComposeService } from '../../src/compose/index.js';
import type { Diagnostic } from '../../src/model/diagnostic.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

type Options = { env?: Record<string, string | undefined>; profiles?: string[] };

export function loaded(files: string[], opts: Options = {}): { project: ComposeProject; warnings: Diagnostic[]; files: string[] } {
  const r = loadCompose(files, { env: opts.env ?? {}, ...(opts.profiles ? { profiles: opts.profiles } : {}) });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`).join('\n'));
  return r;
}

export function failed(files: string[], opts: Options = {}): Diagnostic[] {
  const r = loadCompose(files, { env: opts.env ?? {}, ...(opts.profiles ? { profiles: opts.profiles } : {}) });
  if (r.ok) throw new Error(`expected errors, got services ${r.project.services.map((s) => s.name).join(', ')}`);
  return r.diagnostics;
}

export function service(project: ComposeProject, name: string): ComposeService {
  const found = project.services.find((s) => s.name === name);
  if (!found) throw new Error(`no service ${name} (have ${project.services.map((s) => s.name).join(', ')})`);
  return found;
}

/** `file:line:col message` with the fixtures folder cut off: readable in a failed expectation. */
export function where(d: Diagnostic): string {
  return `${d.file.replace(FIXTURES + '/', '')}:${d.line}:${d.col} ${d.message}`;
}
