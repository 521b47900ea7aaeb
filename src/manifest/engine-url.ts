// Engine URLs from a manifest (a generic machine's `url`, a docker machine's `host`) end up on
// command lines (`cluster ssh` runs `ssh [user@]host`) and in connection options. A host or user
// that begins with `-` would be read by ssh as an option (`ssh://-oProxyCommand=...` runs a
// command), so only real host names, IP addresses and plain user names pass.
import { isIPv4, isIPv6 } from 'node:net';

const SCHEMES = ['unix', 'tcp', 'http', 'https', 'ssh'];
/** RFC 1123 labels (underscores tolerated, as resolvers do); never a leading `-`. */
const HOST_LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
/** POSIX portable user names (upper case allowed, as sshd accepts): no leading `-`. */
const USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/;

export interface EngineUrlProblem {
  message: string;
  hint: string;
}

export interface EngineAddress {
  scheme: string;
  user?: string;
  /** As written: a name, an IPv4 address, or an IPv6 address in brackets. */
  host: string;
  port?: number;
}

const EXAMPLES = 'unix:///var/run/docker.sock, tcp://10.0.0.5:2376, ssh://user@host.example.com';

/** The URL's parts when they are safe to use, or why not. unix:// URLs have a path, no host. */
export function parseEngineUrl(url: string): { ok: true; address?: EngineAddress } | { ok: false; problem: EngineUrlProblem } {
  const fail = (message: string, hint = `an engine URL: ${EXAMPLES}`) => ({ ok: false as const, problem: { message, hint } });
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(url);
  if (!m) return fail(`invalid engine URL ${JSON.stringify(url)}`);
  const scheme = m[1]!.toLowerCase();
  const authority = m[2]!;
  if (!SCHEMES.includes(scheme)) return fail(`unsupported engine URL scheme ${scheme}:// in ${JSON.stringify(url)}`, `one of ${SCHEMES.map((s) => `${s}://`).join(', ')}`);
  if (scheme === 'unix') {
    if (authority) return fail(`a unix:// engine URL names a socket path, not a host: ${JSON.stringify(url)}`, 'three slashes: unix:///var/run/docker.sock');
    if (!m[3]) return fail(`the unix:// engine URL ${JSON.stringify(url)} names no socket`, 'unix:///var/run/docker.sock');
    return { ok: true };
  }
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hostport = authority.slice(at + 1);
  if (userinfo !== undefined) {
    if (scheme !== 'ssh') return fail(`a ${scheme}:// engine URL takes no user name: ${JSON.stringify(url)}`, 'only ssh:// URLs name a user (ssh://user@host); tcp:// engines authenticate with TLS client certificates');
    if (userinfo.includes(':')) return fail(`the engine URL ${JSON.stringify(url)} holds a password`, 'use an ssh key or agent: ssh://user@host');
    if (!USER.test(userinfo)) return fail(`invalid ssh user name ${JSON.stringify(userinfo)} in ${JSON.stringify(url)}`, 'letters, digits, _ . - (not first), at most 32 characters');
  }
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(hostport);
  const host = bracketed ? bracketed[1]! : hostport.replace(/:[^:]*$/, '');
  const portText = bracketed ? bracketed[2] : /:([^:]*)$/.exec(hostport)?.[1];
  if (bracketed ? !isIPv6(host) : !isHostName(host)) {
    return fail(`invalid host ${JSON.stringify(bracketed ? `[${host}]` : host)} in the engine URL ${JSON.stringify(url)}`, 'a host name (letters, digits, - not first), an IPv4 address, or an IPv6 address in brackets: ssh://user@[fd00::5]');
  }
  let port: number | undefined;
  if (portText !== undefined) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) return fail(`invalid port ${JSON.stringify(portText)} in the engine URL ${JSON.stringify(url)}`, 'a port from 1 to 65535');
  }
  // Nothing follows the host and port of a tcp:// or ssh:// engine (a path, ?query or #fragment would be dropped unseen).
  if (m[3] && m[3] !== '/') return fail(`the engine URL ${JSON.stringify(url)} has ${JSON.stringify(m[3])} after its host`, `host and port only, e.g. ${scheme}://${scheme === 'ssh' ? 'user@' : ''}host${scheme === 'tcp' ? ':2376' : ''}`);
  return { ok: true, address: { scheme, ...(userinfo !== undefined ? { user: userinfo } : {}), host: bracketed ? `[${host}]` : host, ...(port !== undefined ? { port } : {}) } };
}

function isHostName(host: string): boolean {
  if (isIPv4(host)) return true;
  if (host.length === 0 || host.length > 253) return false;
  return host.replace(/\.$/, '').split('.').every((label) => HOST_LABEL.test(label));
}

/** Reports why `url` cannot be used as an engine URL, if it cannot. */
export function engineUrlProblem(url: string, report: (message: string, hint: string) => void): void {
  const r = parseEngineUrl(url);
  if (!r.ok) report(r.problem.message, r.problem.hint);
}
