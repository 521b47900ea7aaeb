// Compose-style interpolation of every string value: ${VAR}, $VAR, ${VAR:-default}, ${VAR-default},
// ${VAR:?message}, ${VAR?message}, ${VAR:+alt}, ${VAR+alt}, and $$ for a literal $.
// Variables come from the environment, then from a .env file beside the manifest (environment wins).
import { isPair, isScalar, visit } from 'yaml';
import type { Diagnostic } from '../model/diagnostic.js';
import { isSensitiveName, rememberSecret } from '../model/secrets.js';
import type { Source } from './read.js';
import { readUserFile } from './user-file.js';

export type Env = Record<string, string | undefined>;

const PATTERN = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(\{[^}]*\}?))/g;

/**
 * A .env or env_file: KEY=VALUE lines, `#` comments. Unquoted and double-quoted values may use
 * ${VAR} and its compose forms, from `lookup` (the shell, which wins) or an earlier line of the
 * file; single-quoted values are literal. A missing file is empty; an unreadable one (a directory, a
 * FIFO, too big) is told to `unreadable` and read as empty.
 */
export function readDotEnv(file: string, lookup: Env = {}, unreadable: (message: string, hint?: string) => void, what = 'the env file'): Env {
  const read = readUserFile(file, { what });
  if (!read.ok) {
    if (!read.missing) unreadable(read.message, read.hint);
    return {};
  }
  const env: Env = {};
  const given = Object.fromEntries(Object.entries(lookup).filter(([, v]) => v !== undefined));
  for (const raw of read.bytes.toString('utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    if (/^'.*'$/.test(value)) {
      env[m[1]!] = value.slice(1, -1);
      continue;
    }
    if (/^".*"$/.test(value)) value = value.slice(1, -1).replace(/\\n/g, '\n').replace(/\\"/g, '"');
    else value = value.replace(/\s+#.*$/, '');
    env[m[1]!] = substitute(value, { ...env, ...given }, () => undefined);
  }
  return env;
}

/**
 * Interpolates every string scalar in place (not keys, as compose). Returns errors and warnings.
 * The value of every sensitive variable it substitutes is remembered (src/model/secrets.ts), so it
 * is masked wherever it lands: a label, a command, an image tag, a connection string.
 */
export function interpolate(source: Source, env: Env): Diagnostic[] {
  const out: Diagnostic[] = [];
  const substituteIn = (scalar: { value: unknown; range?: [number, number, number] | null }) => {
    scalar.value = substitute(scalar.value as string, env, (severity, message, hint) => {
      const { line, col } = source.lines.linePos(scalar.range?.[0] ?? 0);
      out.push({ severity, file: source.file, line, col, message, hint });
    });
  };
  visit(source.doc, {
    Pair: (_, pair) => {
      if (isPair(pair) && isScalar(pair.value) && typeof pair.value.value === 'string') substituteIn(pair.value);
    },
    Seq: (_, seq) => {
      for (const item of seq.items) if (isScalar(item) && typeof item.value === 'string') substituteIn(item);
    },
  });
  return out;
}

type Report = (severity: 'error' | 'warning', message: string, hint?: string) => void;

export function substitute(text: string, env: Env, report: Report): string {
  if (!text.includes('$')) return text;
  return text.replace(PATTERN, (whole, dollar, name, op, arg, bare, broken) => {
    if (dollar) return '$';
    if (broken !== undefined) {
      report('error', `invalid interpolation ${whole}`, 'write ${VAR}, ${VAR:-default} or ${VAR:?message}; use $$ for a literal $');
      return whole;
    }
    const key = (name ?? bare) as string;
    const value = env[key];
    if (isSensitiveName(key)) rememberSecret(value);
    const set = value !== undefined;
    const nonEmpty = set && value !== '';
    const nested = (s: string) => substitute(s ?? '', env, report);
    switch (op as string | undefined) {
      case ':-':
        return nonEmpty ? value : nested(arg);
      case '-':
        return set ? value : nested(arg);
      case ':?':
        if (!nonEmpty) report('error', `required variable ${key} is ${set ? 'empty' : 'not set'}${arg ? `: ${arg}` : ''}`, `set ${key} in the environment or in .env beside the manifest`);
        return value ?? '';
      case '?':
        if (!set) report('error', `required variable ${key} is not set${arg ? `: ${arg}` : ''}`, `set ${key} in the environment or in .env beside the manifest`);
        return value ?? '';
      case ':+':
        return nonEmpty ? nested(arg) : '';
      case '+':
        return set ? nested(arg) : '';
      default:
        if (!set) report('warning', `variable ${key} is not set: using an empty string`, `set ${key}, or write \${${key}:-default}`);
        return value ?? '';
    }
  });
}
