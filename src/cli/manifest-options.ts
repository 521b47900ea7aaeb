// The manifest as the command line asks for it: -f, plus compose files (-c) and profiles (--profile).
// `cluster plan -c docker-compose.yml` with no cluster.yml runs the compose app on default machines.
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { loadManifest, type LoadResult } from '../manifest/index.js';

export interface ManifestOptions {
  compose: string[];
  profiles: string[];
  /** -f was given on the command line (not the default cluster.yml): `apply FILE` checks it against the plan. */
  fileGiven?: boolean;
}

let options: ManifestOptions = { compose: [], profiles: [] };

export function setManifestOptions(o: ManifestOptions): void {
  options = o;
}

export function manifestOptions(): ManifestOptions {
  return options;
}

/** `-c FILE` and no manifest at `file`: the compose app runs on defaultManifest's machines. */
export function usesDefaultMachines(file: string): boolean {
  return options.compose.length > 0 && !existsSync(resolve(file));
}

/** Said on stderr wherever the default machines stand in for a missing manifest, so nobody mistakes them for a cluster.yml. */
export function defaultMachinesNote(file: string): string {
  return `note: no ${file}: the compose app runs on the default machines (manager, worker-1, worker-2 on the docker driver); write ${file} to choose them`;
}

export function loadManifestWithOptions(file: string): LoadResult {
  const path = resolve(file);
  const text = usesDefaultMachines(file) ? defaultManifest(basename(dirname(path))) : undefined;
  return loadManifest(path, { compose: options.compose, profiles: options.profiles, ...(text ? { text } : {}) });
}

/** One manager and two workers on the docker driver, named after the folder as compose names its project. */
export function defaultManifest(folder: string): string {
  const name = folder.toLowerCase().replace(/[^a-z0-9_.-]/g, '-').replace(/^[^a-z0-9]+/, '') || 'compose';
  return `# default machines for \`cluster -c\` without a manifest
name: ${name}
machines:
  manager: { driver: docker, role: manager }
  worker: { driver: docker, role: worker, count: 2 }
`;
}
