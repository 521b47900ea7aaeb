// `extends`: a service starts from another one (in this file or another), then its own keys merge
// over it by the usual rules. Each service is resolved once; a cycle or a missing base is reported
// once, at the `extends` that breaks, and whatever builds on a broken service fails silently.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { didYouMean } from '../manifest/hints.js';
import type { Path, Source } from '../manifest/read.js';
import type { ComposeFile } from './file.js';
import { isMap, mergeService } from './merge.js';

type Raw = Record<string, unknown>;

export interface ExtendsContext {
  /** The file read, validated and interpolated; undefined when it has errors (already reported). */
  open: (path: string) => ComposeFile | undefined;
  error: (source: Source, path: Path, message: string, hint?: string) => void;
}

export type ResolveExtends = (file: ComposeFile, service: string) => Raw | undefined;

export function extendsResolver(ctx: ExtendsContext): ResolveExtends {
  const done = new Map<string, Raw | null>();
  const resolving: { key: string; name: string; file: string }[] = [];

  const resolveService = (file: ComposeFile, name: string): Raw | undefined => {
    const key = `${file.source.file}#${name}`;
    if (done.has(key)) return done.get(key) ?? undefined;
    const raw = servicesOf(file)[name];
    if (!isMap(raw) || raw.extends === undefined) return isMap(raw) ? raw : undefined;
    const at: Path = ['services', name, 'extends'];
    const cycleStart = resolving.findIndex((r) => r.key === key);
    if (cycleStart >= 0) {
      const loop = [...resolving.slice(cycleStart), { key, name, file: file.source.file }];
      const names = loop.map((r) => (r.file === file.source.file ? r.name : `${r.name} (${basename(r.file)})`));
      ctx.error(file.source, at, `extends cycle: ${names.join(' → ')}`, 'a service cannot extend itself, directly or through others');
      return undefined;
    }
    resolving.push({ key, name, file: file.source.file });
    const result = extendOnce(file, name, raw, at);
    resolving.pop();
    done.set(key, result ?? null);
    return result;
  };

  const extendOnce = (file: ComposeFile, name: string, raw: Raw, at: Path): Raw | undefined => {
    const ext = typeof raw.extends === 'string' ? { service: raw.extends } : (raw.extends as { service: string; file?: string });
    if (ext.file !== undefined && !existsSync(ext.file)) {
      ctx.error(file.source, [...at, 'file'], `extends file not found: ${ext.file}`, 'the path is relative to this compose file');
      return undefined;
    }
    const baseFile = ext.file === undefined ? file : ctx.open(ext.file);
    if (!baseFile) return undefined;
    if (!isMap(servicesOf(baseFile)[ext.service])) {
      const where = ext.file === undefined ? 'this file' : basename(ext.file);
      ctx.error(file.source, typeof raw.extends === 'string' ? at : [...at, 'service'], `service ${name} extends ${ext.service}, which is not defined in ${where}`, didYouMean(ext.service, Object.keys(servicesOf(baseFile))));
      return undefined;
    }
    const base = resolveService(baseFile, ext.service);
    if (!base) return undefined;
    // Compose does not inherit what ties a service to others.
    const { depends_on: _d, links: _l, volumes_from: _v, ...inherited } = base;
    const { extends: _e, ...own } = raw;
    return mergeService(inherited, own);
  };

  return resolveService;
}

function servicesOf(file: ComposeFile): Raw {
  return isMap(file.data.services) ? file.data.services : {};
}
