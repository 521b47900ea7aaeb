// A dockerode client for one engine URL. docker-modem lets DOCKER_HOST override an explicit
// socketPath (and wipes sshOptions), so every connection names host, port and protocol itself.
import { readFileSync } from 'node:fs';
import Dockerode from 'dockerode';

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
    const pem = (v?: string) => (v === undefined ? undefined : v.includes('-----BEGIN') ? v : readFileSync(v));
    return new Dockerode({
      ...base,
      host: u.hostname,
      port: Number(u.port || (secure ? 2376 : 2375)),
      protocol: secure ? 'https' : 'http',
      ...(secure ? { ca: pem(tls?.ca), cert: pem(tls?.cert), key: pem(tls?.key) } : {}),
    } as Dockerode.DockerOptions);
  }
  if (u.protocol === 'ssh:') {
    return new Dockerode({
      ...base,
      protocol: 'ssh',
      host: u.hostname,
      port: Number(u.port || 22),
      username: decodeURIComponent(u.username) || undefined,
      sshOptions: { agent: process.env.SSH_AUTH_SOCK },
    } as Dockerode.DockerOptions);
  }
  throw new Error(`unsupported engine URL ${url}: use unix:///path, tcp://host:port or ssh://user@host`);
}

/** The host engine the docker driver runs machines on: the `host:` option, the engine the machines were made on, DOCKER_HOST, or the default socket. */
export function hostEngineUrl(option: unknown, recorded?: string): string {
  if (typeof option === 'string' && option) return option;
  return recorded || process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}
