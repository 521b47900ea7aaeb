// Which systems the ssh driver provisions: Debian and Ubuntu (and their derivatives that say so in
// ID_LIKE), whose docker.io package and apt it knows. Anything else is refused before the host is touched.
import { UserError } from '../../model/diagnostic.js';

const SUPPORTED = ['debian', 'ubuntu'];

/** KEY=value lines, values optionally quoted (os-release(5)). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

export function checkOs(machine: string, where: string, osRelease: string): void {
  const os = parseOsRelease(osRelease);
  const ids = [os.ID ?? '', ...(os.ID_LIKE ?? '').split(/\s+/)].filter(Boolean);
  if (ids.some((id) => SUPPORTED.includes(id))) return;
  const name = os.PRETTY_NAME || os.ID || 'an unknown system (no /etc/os-release)';
  throw UserError.plain(`ssh machine ${machine} (${where}) runs ${name}: the ssh driver provisions Debian and Ubuntu only`, 'use a Debian or Ubuntu host, or install Docker there yourself and adopt it with `driver: generic`');
}
