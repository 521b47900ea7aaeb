// When two published ports clash on one machine, as classic Swarm decides it (scheduler/filter/port.go
// compare, bindsAllInterfaces): same host port, and the same host IP or either bound to all interfaces
// ('' or an unspecified address, 0.0.0.0 or ::). `127.0.0.1:8080` and `127.0.0.2:8080` live side by
// side, as real engines allow. One deliberate difference: the protocol counts too (classic refuses
// `8080/udp` beside `8080/tcp`; engines run both).

import type { PortProtocol } from './desired.js';

export interface HostPort {
  published: number;
  protocol: PortProtocol;
  /** Absent: all interfaces. */
  hostIp?: string;
}

/** Whether `ip` means all interfaces, as Go's net.ParseIP(ip).IsUnspecified() or an empty string. */
export function bindsAllInterfaces(ip: string | undefined): boolean {
  if (!ip) return true;
  return /^(::ffff:)?0\.0\.0\.0$/i.test(ip) || (/^[0:]+$/.test(ip) && ip.includes('::')) || /^0{1,4}(:0{1,4}){7}$/.test(ip);
}

/** The host IP a binding is specific to, or undefined for all interfaces. */
export function specificIp(ip: string | undefined): string | undefined {
  return bindsAllInterfaces(ip) ? undefined : ip;
}

/**
 * A binding as one string: `8080/tcp` on all interfaces, `127.0.0.1:8080/tcp` or `[::1]:8080/tcp` on
 * one address. Everything after the last `:` is the port and protocol (see portOfKey).
 */
export function hostPortKey(p: HostPort): string {
  const ip = specificIp(p.hostIp);
  const port = `${p.published}/${p.protocol}`;
  return ip === undefined ? port : ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** `127.0.0.1:8080/tcp` → `8080/tcp`; undefined for a binding on all interfaces (the key is its own port). */
export function portOfKey(key: string): string | undefined {
  const colon = key.lastIndexOf(':');
  return colon < 0 ? undefined : key.slice(colon + 1);
}

export function hostPortsClash(a: HostPort, b: HostPort): boolean {
  if (a.published !== b.published || a.protocol !== b.protocol) return false;
  const ia = specificIp(a.hostIp);
  const ib = specificIp(b.hostIp);
  return ia === undefined || ib === undefined || ia === ib;
}
