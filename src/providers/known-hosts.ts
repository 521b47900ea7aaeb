// OpenSSH's known_hosts, read as ssh reads it: shared by the ssh driver (provisioning) and the docker
// engine client (ssh:// engine URLs of the generic driver).
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type KnownHostStatus = 'match' | 'mismatch' | 'unknown';

/** OpenSSH known_hosts lookup: plain (`host`, `[host]:port`) and hashed (`|1|salt|hmac`) names; markers (@revoked, @cert-authority) are not honoured. */
export function knownHostStatus(text: string, host: string, port: number, key: Buffer): KnownHostStatus {
  const name = port === 22 ? host : `[${host}]:${port}`;
  let named = false;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3 || fields[0]!.startsWith('#') || fields[0]!.startsWith('@')) continue;
    const [patterns, , b64] = fields as [string, string, string];
    const matches = patterns.split(',').some((p) => {
      if (!p.startsWith('|1|')) return p === name;
      const [, , salt, hash] = p.split('|');
      return createHmac('sha1', Buffer.from(salt ?? '', 'base64')).update(name).digest('base64') === hash;
    });
    if (!matches) continue;
    if (Buffer.from(b64, 'base64').equals(key)) return 'match';
    named = true;
  }
  return named ? 'mismatch' : 'unknown';
}

export function userKnownHosts(): string {
  return [join(homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts']
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
}
