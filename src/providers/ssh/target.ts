// Where an ssh machine is and how to log in: `host`, `port`, `user`, `identity`, `host-key`, or
// `host: ssh://user@host:port`. The manifest has already checked every value (src/manifest); this
// only turns the options into one shape the driver uses.
import type { DesiredMachine } from '../../model/desired.js';

export type HostKeyPolicy = 'strict' | 'accept-new';

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  /** Private key file (absolute); absent: the agent (SSH_AUTH_SOCK) or ~/.ssh/id_*. */
  identity?: string;
  hostKey: HostKeyPolicy;
}

export function sshTarget(machine: DesiredMachine): SshTarget {
  const o = machine.options;
  const raw = String(o.host ?? '');
  const url = /^ssh:\/\//i.test(raw) ? new URL(raw) : undefined;
  const host = url ? url.hostname.replace(/^\[(.*)\]$/, '$1') : raw;
  const port = Number(o.port ?? (url?.port || 22));
  const user = String(o.user ?? (url?.username ? decodeURIComponent(url.username) : 'root'));
  return {
    host,
    port,
    user,
    ...(typeof o.identity === 'string' ? { identity: o.identity } : {}),
    hostKey: o['host-key'] === 'accept-new' ? 'accept-new' : 'strict',
  };
}

export function describeTarget(t: Pick<SshTarget, 'host' | 'port' | 'user'>): string {
  return `${t.user}@${t.host}${t.port === 22 ? '' : `:${t.port}`}`;
}
