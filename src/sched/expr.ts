// Classic Swarm placement expressions (scheduler/filter/expr.go), reproduced exactly:
// `key==value`, `key!=value`, soft with a leading `~` on the value, value exact, glob `*` or /regex/.
import type { Expression } from '../model/desired.js';

// The same key and value alphabets classic Swarm accepts (its regexps, case-insensitive).
const KEY = /^[a-z_][a-z0-9\-_.]+$/i;
const VALUE = /^[=!/]?(~)?[a-z0-9:\-_\s.*/()?+[\]\\^$|]+$/i;

export type ParseResult = { ok: true; expr: Expression } | { ok: false; message: string; hint: string };

/** Parse `constraint:`/`affinity:` text (without the prefix). Keys are lower-cased as Swarm does. */
export function parseExpression(text: string): ParseResult {
  for (const op of ['==', '!='] as const) {
    const at = text.indexOf(op);
    if (at < 0) continue;
    const key = text.slice(0, at).trim();
    const raw = text.slice(at + 2).trim();
    if (!KEY.test(key)) {
      return { ok: false, message: `invalid key '${key}' in expression '${text}'`, hint: 'keys are letters, digits, - _ . and start with a letter or _' };
    }
    if (!VALUE.test(raw)) {
      return { ok: false, message: `invalid value '${raw}' in expression '${text}'`, hint: 'values are letters, digits and : - _ . * / ( ) ? + [ ] \\ ^ $ |' };
    }
    const soft = raw.startsWith('~');
    const value = raw.replace(/^~+/, '');
    if (value.startsWith('/') && value.endsWith('/') && value.length > 1) {
      try {
        new RegExp(value.slice(1, -1));
      } catch (err) {
        return { ok: false, message: `invalid regular expression ${value} in '${text}'`, hint: (err as Error).message };
      }
    }
    return { ok: true, expr: { key: key.toLowerCase(), op, value, soft, text } };
  }
  return { ok: false, message: `no operator in expression '${text}'`, hint: 'one of ==, != is expected, e.g. size==xxl or size!=~small (soft)' };
}

/**
 * Compose/swarm-mode constraint (`node.labels.size == xxl`, `node.hostname == x`, `node.role == manager`,
 * `engine.labels.k == v`, `node.platform.os == linux`) → the classic key it means.
 */
export function parseSwarmConstraint(text: string): ParseResult {
  const m = /^\s*([A-Za-z0-9_.\-]+)\s*(==|!=)\s*(.*?)\s*$/.exec(text);
  if (!m) return { ok: false, message: `invalid placement constraint '${text}'`, hint: 'write e.g. node.labels.size == xxl, node.hostname == m1 or node.role == manager' };
  const [, field = '', op = '==', value = ''] = m;
  const key = swarmFieldToKey(field);
  if (!key) {
    return { ok: false, message: `unknown constraint field '${field}'`, hint: 'use node.labels.<key>, engine.labels.<key>, node.hostname, node.id, node.role, node.platform.os' };
  }
  const parsed = parseExpression(`${key}${op}${value}`);
  return parsed.ok ? { ok: true, expr: { ...parsed.expr, text } } : parsed;
}

function swarmFieldToKey(field: string): string | undefined {
  if (field.startsWith('node.labels.')) return field.slice('node.labels.'.length);
  if (field.startsWith('engine.labels.')) return field.slice('engine.labels.'.length);
  switch (field) {
    case 'node.hostname':
    case 'node.id':
      return 'node';
    case 'node.role':
      return 'node.role';
    case 'node.platform.os':
      return 'operatingsystem';
    default:
      return undefined;
  }
}

/** Does any of `candidates` match? `==` needs a match, `!=` needs none (a missing label matches `!=`). */
export function matches(expr: Expression, candidates: readonly string[]): boolean {
  const re = toRegExp(expr.value);
  const hit = candidates.some((c) => re.test(c));
  return expr.op === '==' ? hit : !hit;
}

const compiled = new Map<string, RegExp>();

/** Swarm turns a glob into a regexp by replacing `*` with `.*` only (other characters stay regexp). */
export function toRegExp(value: string): RegExp {
  let re = compiled.get(value);
  if (!re) {
    const isRegex = value.length > 1 && value.startsWith('/') && value.endsWith('/');
    const source = isRegex ? value.slice(1, -1) : `^${value.replaceAll('*', '.*')}$`;
    re = new RegExp(source);
    compiled.set(value, re);
  }
  return re;
}

export function formatExpression(expr: Expression): string {
  return `${expr.key}${expr.op}${expr.soft ? '~' : ''}${expr.value}`;
}
