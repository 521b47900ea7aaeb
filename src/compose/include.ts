// `include:` — other compose applications pulled into this one (compose-spec, include.md). Each is
// loaded as a project of its own: its own project directory (relative paths, `.env`), its own
// extends and env_file, then its services, networks, volumes, secrets and configs join this
// project. A name defined both here and by an include is an error, as in docker compose.
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Path } from '../manifest/read.js';
import type { ComposeFile } from './file.js';
import { isMap } from './merge.js';

export interface IncludeEntry {
  /** Where it is written: `['include', i]` of `file`. */
  at: Path;
  /** Absolute compose files of the included application, merged in order. */
  files: string[];
  /** Its project directory: relative paths and the default `.env` resolve there. */
  projectDir: string;
  /** env files for its interpolation; absent = `<projectDir>/.env`. */
  envFiles?: string[];
}

export type IncludeProblem = { at: Path; message: string; hint?: string };

/** The file's include entries, checked for shape (the compose-spec schema does not describe them). */
export function includesOf(file: ComposeFile): { entries: IncludeEntry[]; problems: IncludeProblem[] } {
  const raw = file.data.include;
  const entries: IncludeEntry[] = [];
  const problems: IncludeProblem[] = [];
  if (raw === undefined) return { entries, problems };
  if (!Array.isArray(raw)) return { entries, problems: [{ at: ['include'], message: 'include must be a list of compose files', hint: 'write `include: [./other/compose.yaml]`' }] };
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(file.dir, p));
  const strings = (v: unknown): string[] | undefined => (typeof v === 'string' ? [v] : Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? v : undefined);
  raw.forEach((item, i) => {
    const at: Path = ['include', i];
    const long = isMap(item) ? item : undefined;
    const files = strings(long ? long.path : item);
    if (!files) {
      problems.push({ at, message: 'an include entry is a path, or a map with `path:` (one file or a list)', hint: 'e.g. `- ./db/compose.yaml` or `- path: [./a.yaml, ./b.yaml]`' });
      return;
    }
    const unknown = long ? Object.keys(long).filter((k) => !['path', 'project_directory', 'env_file'].includes(k)) : [];
    if (unknown.length) problems.push({ at: [...at, unknown[0]!], message: `unknown include key \`${unknown[0]}\``, hint: 'an include entry has path, project_directory and env_file' });
    const envFiles = long?.env_file === undefined ? undefined : strings(long.env_file);
    if (long?.env_file !== undefined && !envFiles) problems.push({ at: [...at, 'env_file'], message: 'env_file of an include is a path or a list of paths' });
    const paths = files.map(abs);
    const projectDir = typeof long?.project_directory === 'string' ? abs(long.project_directory) : dirname(paths[0]!);
    entries.push({ at, files: paths, projectDir, ...(envFiles ? { envFiles: envFiles.map(abs) } : {}) });
  });
  return { entries, problems };
}
