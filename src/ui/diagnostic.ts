import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { readUserFile } from '../manifest/user-file.js';
import type { Diagnostic } from '../model/diagnostic.js';

/**
 * `file:line:col: error: message`, then the offending line with a caret under the column, then the hint.
 * Reads the source line itself so diagnostics stay small plain data.
 */
export function formatDiagnostic(d: Diagnostic, cwd = process.cwd()): string {
  const where = d.file ? `${displayPath(d.file, cwd)}${d.line > 0 ? `:${d.line}:${d.col}` : ''}: ` : '';
  const out = [`${where}${d.severity}: ${d.message}`];
  const source = d.file && d.line > 0 ? sourceLine(d.file, d.line) : undefined;
  if (source !== undefined) {
    const gutter = `${d.line} | `;
    out.push(`  ${gutter}${source.replace(/\t/g, ' ')}`);
    out.push(`  ${' '.repeat(gutter.length)}${' '.repeat(Math.max(0, d.col - 1))}^`);
  }
  if (d.hint) out.push(`  hint: ${d.hint}`);
  return out.join('\n');
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/**
 * Lines of the files diagnostics point into, read again only when the file changed (watch mode):
 * a file with thousands of errors is read once, not once per error.
 */
const linesOf = new Map<string, { stamp: string; lines?: string[] }>();

function sourceLine(file: string, line: number): string | undefined {
  let stamp: string;
  try {
    const s = statSync(file);
    stamp = `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return undefined;
  }
  if (linesOf.get(file)?.stamp !== stamp) {
    const read = readUserFile(file, { what: 'the file' });
    linesOf.set(file, { stamp, ...(read.ok ? { lines: read.bytes.toString('utf8').split(/\r?\n/) } : {}) });
  }
  return linesOf.get(file)!.lines?.[line - 1];
}
