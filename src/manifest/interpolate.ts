// Compose-style interpolation of every string value: ${VAR}, $VAR, ${VAR:-default}, ${VAR-default},
// ${VAR:?message}, ${VAR?message}, ${VAR:+alt}, ${VAR+alt}, and $$ for a literal $.
// Variables come from the environment, then from a .env file beside the manifest (environment wins).
import { isPair, isScalar, visit } from 'yaml';
import type { Diagnostic } from '../model/diagnostic.js';
import { isSensitiveName, rememberSecret } from '../model/secrets.js';
import type { Source } from './read.js';
import { readUserFile } from './user-file.js';

export type Env = Record<string, string | undefined>;

/**
 * A .env or env_file: KEY=VALUE lines, `#` comments. Unquoted and double-quoted values may use
 * ${VAR} and its compose forms, from `lookup` (the shell, which wins) or an earlier line of the
 * file; single-quoted values are literal. A missing file is empty; an unreadable one (a directory, a
 * FIFO, too big) is told to `unreadable` and read as empty; so is a substitution error (naming its line).
 */
export function readDotEnv(file: string, lookup: Env = {}, unreadable: (message: string, hint?: string) => void, what = 'the env file'): Env {
  const read = readUserFile(file, { what });
  if (!read.ok) {
    if (!read.missing) unreadable(read.message, read.hint);
    return {};
  }
  const env: Env = {};
  const given = Object.fromEntries(Object.entries(lookup).filter(([, v]) => v !== undefined));
  for (const [n, raw] of read.bytes.toString('utf8').split(/\r?\n/).entries()) {
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
    // As compose-go's dotenv (expandVariables → template.Substitute): a malformed ${ or a missing
    // required variable is an error naming its line (no excerpt: an env file holds secrets); an
    // unset variable is quietly empty.
    env[m[1]!] = substitute(value, { ...env, ...given }, (severity, message, hint) => {
      if (severity === 'error') unreadable(`${what} ${file}, line ${n + 1}: ${message}`, hint);
    });
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
    const value = scalar.value as string;
    const start = scalar.range?.[0] ?? 0;
    // Written as read (plain, or quoted without escapes, on one line): the column of the `$` itself.
    const written = value.includes('\n') ? -1 : source.text.slice(start, scalar.range?.[1] ?? start).indexOf(value);
    scalar.value = substitute(value, env, (severity, message, hint, at = 0) => {
      const { line, col } = source.lines.linePos(written < 0 ? start : start + written + at);
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

/** `at`: where in the text being substituted the problem starts (a UTF-16 offset). */
type Report = (severity: 'error' | 'warning', message: string, hint?: string, at?: number) => void;

/**
 * compose-go's template.DefaultPattern, read the same way (template/template.go): `$$`, `$NAME`,
 * `${NAME}` / `${NAME<op>...}` greedy to the last `}` of the line, else `${` alone is invalid. Names
 * are case-insensitive [_a-z][_a-z0-9]*; `$` before anything else (`$1`, `$-`, a trailing `$`) is text.
 */
const PATTERN = /\$(?:(\$)|([_a-z][_a-z0-9]*)|\{(?:([_a-z][_a-z0-9]*(?::?[-+?][^\n]*)?)\}|()))/gi;
const BRACED = /^([_a-z][_a-z0-9]*)(:?[-+?])?/i;
const HINT = 'write ${VAR}, ${VAR:-default}, ${VAR:?message} or $VAR; use $$ for a literal $';

/**
 * One substitution for the manifest, compose files, .env and env_file, as compose-go's
 * template.Substitute does it (template/template.go, DefaultReplacementAppliedFunc): a braced match
 * runs to its own closing brace (getFirstBraceClosingIndex), what follows on the line is substituted
 * after it, and a default, alternative or error message is itself substituted, only when it is used:
 * `${A:-${B:-x}}` nests to any depth. `base` is the offset of `text` in the value it came from.
 */
export function substitute(text: string, env: Env, report: Report, base = 0): string {
  if (!text.includes('$')) return text;
  return text.replace(PATTERN, (match: string, ...groups: unknown[]) => {
    const offset = groups[groups.length - 2] as number;
    return replace(match, base + offset, env, report, () => text.slice(offset).split('\n')[0]!);
  });
}

function replace(match: string, at: number, env: Env, report: Report, written: () => string): string {
  if (match === '$$') return '$';
  const close = closingBrace(match);
  const own = close >= 0 ? match.slice(0, close + 1) : match;
  const rest = close >= 0 ? match.slice(close + 1) : '';
  if (!own.startsWith('${')) return lookup(own.slice(1), env, report, at);
  const inner = own.endsWith('}') ? own.slice(2, -1) : '';
  const m = BRACED.exec(inner);
  if (!m || !(m[2] !== undefined || m[1] === inner)) {
    report('error', `invalid interpolation: ${JSON.stringify(cut(written()))}`, HINT, at);
    return '';
  }
  const [, name, op] = m as unknown as [string, string, string | undefined];
  if (op === undefined) return lookup(name, env, report, at);
  const arg = inner.slice(name.length + op.length);
  const argAt = at + 2 + name.length + op.length;
  const value = env[name];
  if (isSensitiveName(name)) rememberSecret(value);
  const set = value !== undefined;
  const nonEmpty = set && value !== '';
  const nested = () => substitute(arg, env, report, argAt);
  let out: string;
  switch (op) {
    case ':-':
      out = nonEmpty ? value : nested();
      break;
    case '-':
      out = set ? value : nested();
      break;
    case ':+':
      out = nonEmpty ? nested() : (value ?? '');
      break;
    case '+':
      out = set ? nested() : '';
      break;
    case ':?':
    case '?':
      if (op === ':?' ? nonEmpty : set) out = value!;
      else {
        const reason = nested();
        report('error', `required variable ${name} is ${set ? 'empty' : 'not set'}${reason ? `: ${reason}` : ''}`, `set ${name} in the environment or in .env beside the manifest`, at);
        return '';
      }
      break;
    default:
      throw new Error(`unreachable operator ${op}`);
  }
  return out + substitute(rest, env, report, at + close + 1);
}

function lookup(name: string, env: Env, report: Report, at: number): string {
  const value = env[name];
  if (isSensitiveName(name)) rememberSecret(value);
  if (value === undefined) report('warning', `variable ${name} is not set: using an empty string`, `set ${name}, or write \${${name}:-default}`, at);
  return value ?? '';
}

/** The `}` closing the first `{`, counted as compose-go's getFirstBraceClosingIndex counts (the character after a `{` is skipped). */
function closingBrace(s: string): number {
  let open = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '}' && --open === 0) return i;
    if (s[i] === '{') {
      open++;
      i++;
    }
  }
  return -1;
}

/** A template shown in a message: long ones cut. */
function cut(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
