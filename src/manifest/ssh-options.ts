// The ssh driver's machine keys: `host` (a name, an address, or ssh://user@host:port), `port`,
// `user`, `identity` (a private key file, relative to the manifest) and `host-key` (strict |
// accept-new). Every value error is reported at its key; a key of another driver is reported too.
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Path } from './read.js';
import { parseEngineUrl } from './engine-url.js';
import { parseInteger } from './units.js';

type Raw = Record<string, unknown>;
type Report = (p: Path, message: string, hint?: string, part?: 'key' | 'value') => void;

const USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/;

/** The options an ssh machine runs with, after reporting what is wrong in `m`. */
export function sshOptions(m: Raw, { at, dir, report }: { at: (...rest: string[]) => Path; dir: string; report: Report }): Raw {
  const options: Raw = {};
  const host = m.host;
  if (host === undefined) {
    // reported through the driver's traits (`required`)
  } else if (typeof host !== 'string') report(at('host'), `\`host\` must be a host name, an address or an ssh:// URL (got ${JSON.stringify(host)})`);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    const r = parseEngineUrl(host);
    if (!r.ok) report(at('host'), r.problem.message, r.problem.hint);
    else if (r.address?.scheme !== 'ssh') report(at('host'), `an ssh machine's \`host\` takes an ssh:// URL, not ${r.address?.scheme ?? 'unix'}://`, 'ssh://user@host:22, or just the host name with `user` and `port` beside it');
    else {
      if (r.address.user !== undefined && m.user !== undefined) report(at('user'), `\`user\` is also given in \`host\` (${host})`, 'keep one of them', 'key');
      if (r.address.port !== undefined && m.port !== undefined) report(at('port'), `\`port\` is also given in \`host\` (${host})`, 'keep one of them', 'key');
    }
    options.host = host;
  } else {
    const r = isIPv6(host) ? { ok: true as const } : parseEngineUrl(`ssh://${host}`);
    if (!r.ok || host.includes('@') || host.includes(':') && !isIPv6(host)) report(at('host'), `invalid host ${JSON.stringify(host)}`, 'a host name, an IPv4 or IPv6 address, or ssh://user@host:port');
    options.host = host;
  }
  if (m.port !== undefined) {
    const port = parseInteger(m.port);
    if (port === undefined || port < 1 || port > 65535) report(at('port'), `invalid port ${JSON.stringify(m.port)}`, 'a port from 1 to 65535 (sshd listens on 22)');
    else options.port = port;
  }
  if (m.user !== undefined) {
    if (typeof m.user !== 'string' || !USER.test(m.user)) report(at('user'), `invalid ssh user name ${JSON.stringify(m.user)}`, 'letters, digits, _ . - (not first), at most 32 characters');
    else options.user = m.user;
  }
  if (m.identity !== undefined) {
    if (typeof m.identity !== 'string' || !m.identity) report(at('identity'), `\`identity\` must be the path of a private key file (got ${JSON.stringify(m.identity)})`);
    // `~/` as ssh reads it; anything else relative to the manifest.
    else options.identity = m.identity.startsWith('~/') ? join(homedir(), m.identity.slice(2)) : isAbsolute(m.identity) ? m.identity : resolve(dir, m.identity);
  }
  if (m['host-key'] !== undefined) {
    if (m['host-key'] !== 'strict' && m['host-key'] !== 'accept-new') report(at('host-key'), `invalid host-key ${JSON.stringify(m['host-key'])}`, 'strict (the host must be in known_hosts, the default) or accept-new (trust it on first contact, then pin it)');
    else options['host-key'] = m['host-key'];
  }
  return options;
}
