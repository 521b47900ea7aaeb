// A dockerode client for one engine URL. docker-modem lets DOCKER_HOST override an explicit
// socketPath (and wipes sshOptions), so every connection names host, port and protocol itself.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import './lazy-deps.js'; // before dockerode: see there
import Dockerode from 'dockerode';
import { readUserFile } from '../../manifest/user-file.js';
import { UserError } from '../../model/diagnostic.js';
import { EngineError } from '../../engine/errors.js';
import { knownHostStatus, userKnownHosts } from '../known-hosts.js';

export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

export function dockerodeFor(url: string, tls?: TlsFiles, timeoutMs = 60_000): Dockerode {
  const u = new URL(url);
  const base = { host: undefined, port: undefined, protocol: undefined, socketPath: undefined, timeout: timeoutMs } as Record<string, unknown>;
  if (u.protocol === 'unix:') return new Dockerode({ ...base, socketPath: u.pathname } as Dockerode.DockerOptions);
  if (u.protocol === 'tcp:' || u.protocol === 'http:' || u.protocol === 'https:') {
    const secure = u.protocol === 'https:' || Boolean(tls?.cert || tls?.ca);
    const pem = (v?: string) => (v === undefined ? undefined : v.includes('-----BEGIN') ? v : tlsFile(v));
    return new Dockerode({
      ...base,
      host: u.hostname,
      port: Number(u.port || (secure ? 2376 : 2375)),
      protocol: secure ? 'https' : 'http',
      ...(secure ? { ca: pem(tls?.ca), cert: pem(tls?.cert), key: pem(tls?.key) } : {}),
    } as Dockerode.DockerOptions);
  }
  if (u.protocol === 'ssh:') {
    const port = Number(u.port || 22);
    const key = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(homedir(), '.ssh', f)).find((f) => existsSync(f));
    return new Dockerode({
      ...base,
      protocol: 'ssh',
      host: u.hostname,
      port,
      username: decodeURIComponent(u.username) || undefined,
      sshOptions: {
        agent: process.env.SSH_AUTH_SOCK,
        ...(key && !process.env.SSH_AUTH_SOCK ? { privateKey: readFileSync(key) } : {}),
        // ssh2 trusts any host key unless told otherwise: only hosts in known_hosts, as ssh does.
        hostVerifier: (hostKey: Buffer) => knownHostMatches(userKnownHosts(), u.hostname, port, hostKey),
      },
    } as Dockerode.DockerOptions);
  }
  throw new EngineError('refused', `unsupported engine URL ${url}: use unix:///path, tcp://host:port or ssh://user@host`);
}

/** A certificate or key the manifest names: read like every user file (no FIFO, no device, bounded). */
function tlsFile(path: string): Buffer {
  const file = readUserFile(path, { what: 'the TLS file', maxBytes: 1024 * 1024 });
  if (!file.ok) throw UserError.plain(file.message, file.hint ?? 'check the `tls:` paths of the machine (relative to the manifest)');
  return file.bytes;
}

/** The host engine the docker driver runs machines on: the `host:` option, the engine the machines were made on, DOCKER_HOST, or the default socket. */
export function hostEngineUrl(option: unknown, recorded?: string): string {
  if (typeof option === 'string' && option) return option;
  return recorded || process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

/** Whether known_hosts lists exactly this key for the host (src/providers/known-hosts.ts). */
export function knownHostMatches(text: string, host: string, port: number, key: Buffer): boolean {
  return knownHostStatus(text, host, port, key) === 'match';
}
