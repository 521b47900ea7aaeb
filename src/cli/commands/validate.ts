import { loadDesired } from '../pipeline.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function validateCommand(opts: { file: string; json?: boolean }): number {
  const desired = loadDesired(opts.file);
  // A global service has no replica count: one per eligible machine, known only when placed.
  const global = desired.services.filter((s) => s.global || s.swarm?.mode === 'global');
  const replicas = desired.services.filter((s) => !global.includes(s)).reduce((n, s) => n + s.scale, 0);
  const counts = `${plural(replicas, 'replica')}${global.length ? `, ${global.length} global: one per machine` : ''}`;
  const line = `${opts.file} is valid: cluster "${desired.name}", ${plural(desired.machines.length, 'machine')}, ${plural(desired.services.length, 'service')} (${counts}).`;
  process.stdout.write(opts.json ? JSON.stringify({ valid: true, cluster: desired.name, machines: desired.machines.length, services: desired.services.length, replicas, global_services: global.length }) + '\n' : line + '\n');
  return 0;
}
