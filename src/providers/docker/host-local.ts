// The docker driver reaches each machine's engine through a unix socket in a folder of this computer,
// which the host engine bind-mounts into the machine: that only works when the host engine runs here.
// A DOCKER_HOST (or `host:`) on another computer is refused before anything is asked of it, instead of
// making machines whose sockets appear on the other computer's disk and waiting for them forever.
import { hostname, networkInterfaces } from 'node:os';

/** The other computer a host engine URL names, or undefined when it is this one (unix socket, loopback, an address of ours). */
export function remoteHostOf(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // not a URL: the connection fails later with the engine layer's own message
  }
  if (parsed.protocol === 'unix:' || parsed.protocol === 'npipe:') return undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return isThisComputer(host) ? undefined : host;
}

function isThisComputer(host: string): boolean {
  if (host === '' || host === 'localhost' || host === '::1' || host.startsWith('127.') || host === hostname().toLowerCase()) return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address.toLowerCase() === host));
}
