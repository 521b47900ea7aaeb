import { loadDesired } from '../pipeline.js';

export function validateCommand(opts: { file: string; json?: boolean }): number {
  const desired = loadDesired(opts.file);
  const replicas = desired.services.reduce((n, s) => n + s.scale, 0);
  const line = `${opts.file} is valid: cluster "${desired.name}", ${desired.machines.length} machine${desired.machines.length === 1 ? '' : 's'}, ${desired.services.length} service${desired.services.length === 1 ? '' : 's'} (${replicas} replica${replicas === 1 ? '' : 's'}).`;
  process.stdout.write(opts.json ? JSON.stringify({ valid: true, cluster: desired.name, machines: desired.machines.length, services: desired.services.length, replicas }) + '\n' : line + '\n');
  return 0;
}
