// Host keys: a machine's key is checked against known_hosts (as ssh does, strict by default) on
// first contact, then pinned in the machine's state folder; from then on only the pinned key is
// accepted, so a host that changes its key (reinstalled, or an impostor) is refused by name.
import { createHash } from 'node:crypto';
import type { HostKeyPolicy } from './target.js';
import { knownHostStatus } from '../known-hosts.js';

export { knownHostStatus, userKnownHosts, type KnownHostStatus } from '../known-hosts.js';

/** As ssh prints it: SHA256:<base64 without padding>. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside the blob (ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa). */
export function keyType(key: Buffer): string {
  const len = key.length >= 4 ? key.readUInt32BE(0) : 0;
  return key.subarray(4, 4 + len).toString('latin1') || 'ssh-key';
}

export type HostKeyVerdict = { ok: true; pin: boolean } | { ok: false; message: string; hint: string };

/**
 * Whether to trust `key` for host:port. `pinned` is the key this folder recorded at provisioning
 * (base64), when there is one: it alone decides. Otherwise known_hosts does; an unknown host passes
 * only with `accept-new`, and a host known with another key never does.
 */
export function judgeHostKey(key: Buffer, host: string, port: number, policy: HostKeyPolicy, pinned: string | undefined, knownHosts: string): HostKeyVerdict {
  const where = port === 22 ? host : `[${host}]:${port}`;
  const fp = fingerprint(key);
  if (pinned !== undefined) {
    if (Buffer.from(pinned, 'base64').equals(key)) return { ok: true, pin: false };
    return { ok: false, message: `the host key of ${where} changed since this folder provisioned it (now ${keyType(key)} ${fp}): refusing to connect`, hint: 'if the host was reinstalled on purpose, delete its pinned key (.cluster/ssh/<machine>/host-key) and run again; otherwise someone may be impersonating it' };
  }
  const status = knownHostStatus(knownHosts, host, port, key);
  if (status === 'match') return { ok: true, pin: true };
  if (status === 'mismatch') return { ok: false, message: `known_hosts lists ${where} with another key than the one it offers (${keyType(key)} ${fp}): refusing to connect`, hint: `if the host was reinstalled, remove its old line: ssh-keygen -R '${where}'` };
  if (policy === 'accept-new') return { ok: true, pin: true };
  return { ok: false, message: `the host key of ${where} (${keyType(key)} ${fp}) is not in known_hosts, and \`host-key\` is strict`, hint: `check the fingerprint on the host, then \`ssh-keyscan -p ${port} ${host} >> ~/.ssh/known_hosts\`, or set \`host-key: accept-new\` on the machine to trust it on first contact` };
}
