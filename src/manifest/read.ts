// Bytes → YAML document with source positions. Every failure is a Diagnostic with a place in the file.
import { Document, LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments, visit, type Node, type Pair, type YAMLMap } from 'yaml';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../model/diagnostic.js';
import { readUserFile } from './user-file.js';

export interface Source {
  file: string;
  text: string;
  doc: Document;
  lines: LineCounter;
}

export type Path = readonly (string | number)[];

export type ReadResult = { ok: true; source: Source } | { ok: false; diagnostics: Diagnostic[] };

/** The top-level keys of a manifest: a map with none of them is some other file. */
export const MANIFEST_KEYS = ['name', 'machines', 'services', 'networks', 'compose', 'scheduler', 'simulation', 'sensitive'] as const;

/** The package ships its example two levels above this module (dist/manifest/, dist/bundle/, src/manifest/). */
const EXAMPLE = fileURLToPath(new URL('../../cluster.example.yml', import.meta.url));

function missingHint(): string {
  const start = existsSync(EXAMPLE) ? `; to start one from the example: cp ${EXAMPLE} cluster.yml` : '';
  return `pass the manifest with -f FILE (default: cluster.yml in the current folder)${start}`;
}

/**
 * `given`: the bytes of a manifest that is not on disk (the default one `-c` uses without cluster.yml).
 * `keys`: the top-level keys a file of this kind may have (x- keys aside); a map with none of them
 * is not such a file (say /etc/shadow, which YAML reads as a map), and is refused without showing a
 * line of it, since a pull request's `include:` can name any file.
 */
export function readSource(file: string, given?: Buffer, keys: readonly string[] = MANIFEST_KEYS): ReadResult {
  let bytes: Buffer;
  if (given) bytes = given;
  else {
    const r = readUserFile(file, { what: 'the manifest' });
    if (!r.ok) return fail(file, 0, 0, r.missing ? `manifest not found: ${file}` : r.message, r.missing ? missingHint() : r.hint);
    bytes = r.bytes;
  }
  const text = bytes.toString('utf8');
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lines.addNewLine(i + 1);
  const at = (offset: number) => lines.linePos(offset);

  // uniqueKeys off: yaml checks each key against every earlier one of its map (a 10 MB map of labels
  // took minutes); duplicateKeys() below does the same check with a set per map.
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false, merge: true, strict: true });
  if (!Array.isArray(docs)) return fail(file, 1, 1, 'the manifest is empty', 'start with `name:` and `machines:` (see cluster.example.yml)');
  if (docs.length === 0) return fail(file, 1, 1, 'the manifest is empty', 'start with `name:` and `machines:` (see cluster.example.yml)');
  if (docs.length > 1) {
    const { line, col } = at(docs[1]!.range[0]);
    return fail(file, line, col, 'the manifest holds more than one YAML document', 'remove the `---` separator: one manifest, one document');
  }
  const doc = docs[0]!;
  // Not a map at the top: not a manifest at all (say /etc/passwd named by a pull request's include),
  // so no position, and so no line of its content in the error.
  if (doc.contents === null && doc.errors.length === 0) return fail(file, 1, 1, 'the manifest is empty', 'start with `name:` and `machines:` (see cluster.example.yml)');
  const known = (k: unknown) => isScalar(k) && typeof k.value === 'string' && (keys.includes(k.value) || k.value.startsWith('x-'));
  if (!isMap(doc.contents) || !doc.contents.items.some((p) => known(p.key))) {
    return fail(file, 0, 0, `not a manifest: its top level is not a map of keys (${keys.slice(0, 4).join(', ')}, ...)`, 'start with `name:` and `machines:` (see cluster.example.yml)');
  }

  const bad = text.indexOf('\uFFFD');
  if (bad >= 0 && !isValidUtf8(bytes)) {
    const { line, col } = at(bad);
    return fail(file, line, col, 'the manifest is not valid UTF-8', 'save the file as UTF-8');
  }
  const tab = /^( *)\t/m.exec(text);
  if (tab) {
    const { line, col } = at(tab.index + tab[1]!.length);
    return fail(file, line, col, 'tab character in indentation', 'YAML indents with spaces only: replace the tab by spaces');
  }
  const problems = [...doc.errors, ...duplicateKeys(doc)].sort((a, b) => a.pos[0] - b.pos[0]);
  if (problems.length) {
    return {
      ok: false,
      diagnostics: problems.map((e) => {
        const { line, col } = at(e.pos[0]);
        const duplicate = e.code === 'DUPLICATE_KEY';
        return {
          severity: 'error' as const,
          file,
          line,
          col,
          message: duplicate ? 'duplicate key: this key is already set earlier in the same map' : `YAML syntax: ${firstLine(e.message)}`,
          hint: duplicate ? 'keep one of the two entries' : 'check indentation, quotes and colons on this line or the one before',
        };
      }),
    };
  }
  // Alias bombs: yaml parses them fine and only blows up when converting; refuse them up front.
  let aliases = 0;
  let firstAlias: Node | undefined;
  visit(doc, { Alias: (_, node) => void (aliases++, (firstAlias ??= node)) });
  if (aliases > 0) {
    try {
      doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      const { line, col } = at(firstAlias?.range?.[0] ?? 0);
      return fail(file, line, col, `too many aliases: ${firstLine((err as Error).message)}`, 'anchors expanding into huge documents (an alias bomb) are refused; write the values out');
    }
  }
  return { ok: true, source: { file, text, doc, lines } };
}

/** The node at `path`: its key when `part` is 'key' (for unknown keys), else its value. */
export function locate(source: Source, path: Path, part: 'key' | 'value' = 'value'): { line: number; col: number } {
  let node: unknown = source.doc.contents;
  let keyNode: unknown;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = pairAt(node, seg);
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      keyNode = undefined;
      node = node.items[seg];
    } else break;
  }
  const target = (part === 'key' && keyNode ? keyNode : (node ?? keyNode)) as { range?: [number, number, number] } | undefined;
  return source.lines.linePos(target?.range?.[0] ?? 0);
}

/** Keys set twice in one map (as yaml's uniqueKeys: equal scalar values; `<<` merge keys may repeat), in linear time. */
function duplicateKeys(doc: Document): { code: 'DUPLICATE_KEY'; message: string; pos: [number, number] }[] {
  const out: { code: 'DUPLICATE_KEY'; message: string; pos: [number, number] }[] = [];
  visit(doc, {
    Map: (_, map) => {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key) || pair.key.value === '<<') continue;
        const key = pair.key.value;
        if (seen.has(key)) out.push({ code: 'DUPLICATE_KEY', message: 'Map keys must be unique', pos: [pair.key.range?.[0] ?? 0, pair.key.range?.[1] ?? 0] });
        seen.add(key);
      }
    },
  });
  return out;
}

/** Each map's pairs by key, built on first lookup: locating every one of n services must not cost n². */
const pairsByKey = new WeakMap<object, { items: number; index: Map<unknown, Pair<unknown, unknown>> }>();

function pairAt(map: YAMLMap<unknown, unknown>, key: unknown): Pair<unknown, unknown> | undefined {
  if (map.items.length < 16) return map.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === key);
  let cached = pairsByKey.get(map);
  if (cached?.items !== map.items.length) {
    // The first pair of a key wins, as find() would (a duplicate key is reported elsewhere).
    const index = new Map<unknown, Pair<unknown, unknown>>();
    for (const p of map.items) {
      const k = isScalar(p.key) ? p.key.value : p.key;
      if (!index.has(k)) index.set(k, p);
    }
    pairsByKey.set(map, (cached = { items: map.items.length, index }));
  }
  return cached.index.get(key);
}

function fail(file: string, line: number, col: number, message: string, hint?: string): ReadResult {
  return { ok: false, diagnostics: [{ severity: 'error', file, line, col, message, hint }] };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function isValidUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
