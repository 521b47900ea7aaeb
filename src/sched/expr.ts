// Placement expressions as classic Swarm reads and matches them (scheduler/filter/expr.go):
// `key==value`, `key!=value`, soft with a leading `~` on the value. The value is a Go regular
// expression: `/re/` is searched for as written, anything else becomes `^value$` with each `*`
// turned into `.*` (so `.` is any character, `a|b` is `^a` or `b$`, exactly as in Go). Key and value
// are taken as written: no trimming, no case folding. Matching is RE2 (re2js): Go's syntax, and
// linear time on any input.
//
// Compose's `deploy.placement.constraints` (`node.labels.size == xxl`) follow swarmkit instead
// (manager/constraint/constraint.go): the value is a literal compared without regard to case.
import { RE2JS } from 're2js';
import type { Expression } from '../model/desired.js';

// classic's own alphabets (expr.go parseExprs), compiled as RE2 so they accept exactly what Go does.
const KEY = compiledOnFirstUse(String.raw`^(?i)[a-z_][a-z0-9\-_.]+$`);
const VALUE = compiledOnFirstUse(String.raw`^(?i)[=!\/]?(~)?[a-z0-9:\-_\s\.\*/\(\)\?\+\[\]\\\^\$\|]+$`);
// swarmkit's (manager/constraint/constraint.go), for compose-style constraints.
const SWARM_VALUE = compiledOnFirstUse(String.raw`^(?i)[a-z0-9:\-_\s\.\*\(\)\?\+\[\]\\\^\$\|\/]+$`);

/** Compiling the three at load cost ~7 ms of every command's start (`--version` too); most parse no expression. */
function compiledOnFirstUse(pattern: string): { test(text: string): boolean } {
  let re: RE2JS | undefined;
  return { test: (text) => (re ??= RE2JS.compile(pattern)).test(text) };
}

export type ParseResult = { ok: true; expr: Expression } | { ok: false; message: string; hint: string };

/** Parse `constraint:`/`affinity:` text (without the prefix), as classic's parseExprs does. */
export function parseExpression(text: string): ParseResult {
  for (const op of ['==', '!='] as const) {
    const at = text.indexOf(op);
    if (at < 0) continue;
    const key = text.slice(0, at);
    const raw = text.slice(at + 2);
    if (!KEY.test(key)) {
      return { ok: false, message: `invalid key '${key}' in expression '${text}'`, hint: 'keys are letters, digits, - _ . (at least two), start with a letter or _, and have no spaces around them' };
    }
    if (!VALUE.test(raw)) {
      return { ok: false, message: `invalid value '${raw}' in expression '${text}'`, hint: 'values are letters, digits, spaces and : - _ . * / ( ) ? + [ ] \\ ^ $ |, after an optional ~ (soft)' };
    }
    const soft = raw.startsWith('~');
    const value = raw.replace(/^~+/, '');
    if (value === '/') {
      // classic slices value[1:0] here and fails the request; say so before anything runs.
      return { ok: false, message: `'/' alone is not a value in expression '${text}'`, hint: 'write /regex/ for a regular expression, e.g. zone==/^eu-/' };
    }
    const pattern = patternOf(value);
    const compiled = compile(pattern);
    if (typeof compiled === 'string') {
      const as = value.startsWith('/') ? '' : `, read as the pattern ${pattern}`;
      return { ok: false, message: `invalid regular expression ${value} in '${text}'`, hint: `${compiled} (values are Go/RE2 regular expressions, as in classic Swarm${as})` };
    }
    return { ok: true, expr: { key, op, value, soft, text } };
  }
  return { ok: false, message: `no operator in expression '${text}'`, hint: 'one of ==, != is expected, e.g. size==xxl or size!=~small (soft)' };
}

/**
 * Compose/swarm-mode constraint (`node.labels.size == xxl`, `node.hostname == x`, `node.role == manager`,
 * `engine.labels.k == v`, `node.platform.os == linux`) → the classic key it means, matched as swarmkit
 * matches: the value literally, without regard to case. Field names are case-insensitive, label keys not.
 */
export function parseSwarmConstraint(text: string): ParseResult {
  const op = text.includes('==') ? '==' : text.includes('!=') ? '!=' : undefined;
  if (!op) return { ok: false, message: `invalid placement constraint '${text}'`, hint: 'write e.g. node.labels.size == xxl, node.hostname == m1 or node.role == manager' };
  const at = text.indexOf(op);
  const field = text.slice(0, at).trim();
  const value = text.slice(at + 2).trim();
  if (!KEY.test(field)) return { ok: false, message: `invalid constraint field '${field}' in '${text}'`, hint: 'write e.g. node.labels.size == xxl' };
  if (!SWARM_VALUE.test(value)) {
    return { ok: false, message: `invalid value '${value}' in constraint '${text}'`, hint: 'values are letters, digits, spaces and : - _ . * ( ) ? + [ ] \\ ^ $ | /, compared literally (swarmkit)' };
  }
  const key = swarmFieldToKey(field);
  if (!key) {
    return { ok: false, message: `unknown constraint field '${field}'`, hint: 'use node.labels.<key>, engine.labels.<key>, node.hostname, node.id, node.role, node.platform.os' };
  }
  return { ok: true, expr: { key, op, value, soft: false, text, literal: true } };
}

function swarmFieldToKey(field: string): string | undefined {
  const lower = field.toLowerCase();
  for (const prefix of ['node.labels.', 'engine.labels.']) if (lower.startsWith(prefix) && field.length > prefix.length) return field.slice(prefix.length);
  switch (lower) {
    case 'node.hostname':
    case 'node.id':
      return 'node';
    case 'node.role':
      return 'node.role';
    case 'node.platform.os':
      return 'ostype';
    default:
      return undefined;
  }
}

/** Does any of `candidates` match? `==` needs a match, `!=` needs none (no candidates at all: `!=` holds). */
export function matches(expr: Expression, candidates: readonly string[]): boolean {
  const test = matcherOf(expr);
  let hit = false;
  for (const c of candidates) if ((hit = test(c))) break;
  return expr.op === '==' ? hit : !hit;
}

/** `matches(expr, [value])` without the array. */
export function matchesValue(expr: Expression, value: string): boolean {
  return matcherOf(expr)(value) === (expr.op === '==');
}

type Matcher = (s: string) => boolean;
const byExpression = new WeakMap<Expression, Matcher>();
const byValue = new Map<string, Matcher>();
const never: Matcher = () => false;

/** The test one value is put to; compiled once per distinct value. */
export function matcherOf(expr: Expression): Matcher {
  let m = byExpression.get(expr);
  if (m) return m;
  const id = (expr.literal ? 'L' : 'R') + expr.value;
  m = byValue.get(id);
  if (!m) byValue.set(id, (m = expr.literal ? literalMatcher(expr.value) : regexMatcher(expr.value)));
  byExpression.set(expr, m);
  return m;
}

function literalMatcher(value: string): Matcher {
  const lower = value.toLowerCase();
  return (s) => s === value || s.toLowerCase() === lower;
}

function regexMatcher(value: string): Matcher {
  if (isPlainLiteral(value)) return (s) => s === value;
  const re = compile(patternOf(value));
  // The manifest refuses what does not compile; classic matches nothing with it (`!=` then holds).
  if (typeof re === 'string') return never;
  // Machines share few label values (10,000 machines, 8 zones): each is put to the RE2 matcher once.
  const seen = new Map<string, boolean>();
  return (s) => {
    let hit = seen.get(s);
    if (hit === undefined) {
      hit = re.test(s);
      if (seen.size < 4096) seen.set(s, hit);
    }
    return hit;
  };
}

/** Characters that mean themselves in `^value$`: such a value matches by equality alone. */
export function isPlainLiteral(value: string): boolean {
  return /^[A-Za-z0-9_\-:]+$/.test(value);
}

/** The Go pattern classic builds from a value. */
export function patternOf(value: string): string {
  return value.length > 1 && value.startsWith('/') && value.endsWith('/') ? value.slice(1, -1) : `^${value.replaceAll('*', '.*')}$`;
}

function compile(pattern: string): RE2JS | string {
  try {
    return RE2JS.compile(pattern);
  } catch (err) {
    return (err as Error).message;
  }
}

export function formatExpression(expr: Expression): string {
  return `${expr.key}${expr.op}${expr.soft ? '~' : ''}${expr.value}`;
}
