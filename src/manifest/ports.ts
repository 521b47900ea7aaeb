// `ports:` entries, one reader for cluster.yml and compose files. The short syntax is read as docker
// compose reads it: compose-go's types.ParsePortConfig hands it to go-connections' nat.ParsePortSpec
// ([ip:][host[-end]:]container[-end][/proto]); the long syntax is compose-go's ServicePortConfig with
// validation.checkIPAddress on host_ip. Each entry becomes what docker compose binds
// (buildContainerPortBindingOptions): one binding per container port, an empty host port (no
// `published`) being one the engine picks.
import { isIPv4, isIPv6 } from 'node:net';
import type { PortProtocol, PortSpec } from '../model/desired.js';

type Raw = Record<string, unknown>;
export type Problem = (message: string, hint?: string) => void;

const SHORT_HINT = 'write [HOST_IP:][PUBLISHED[-END]:]TARGET[-END][/tcp|udp|sctp], e.g. 8080:80, 127.0.0.1::80, [::1]:53:53/udp';
const PROTOCOLS: readonly string[] = ['tcp', 'udp', 'sctp'];

/** One `ports:` entry → its ports, or [] after telling `problem` what is wrong. */
export function parsePort(p: unknown, problem: Problem): PortSpec[] {
  if (typeof p === 'number') {
    if (!Number.isInteger(p)) return problem(`invalid port ${p}: not a whole number`, SHORT_HINT), [];
    return parseShort(String(p), problem);
  }
  if (typeof p === 'string') return parseShort(p, problem);
  if (p && typeof p === 'object' && !Array.isArray(p)) return parseLong(p as Raw, problem);
  problem(`invalid port ${JSON.stringify(p)}`, SHORT_HINT);
  return [];
}

/** nat.ParsePortSpec: split on `:` from the right, the protocol off the container part, ranges expanded. */
function parseShort(text: string, problem: Problem): PortSpec[] {
  const bad = (why: string) => (problem(`invalid port ${JSON.stringify(text)}: ${why}`, SHORT_HINT), [] as PortSpec[]);
  const parts = text.split(':');
  const container = parts[parts.length - 1]!;
  const host = parts.length >= 2 ? parts[parts.length - 2]! : '';
  const rawIp = parts.length >= 3 ? parts.slice(0, -2).join(':') : '';
  const [proto, containerPort] = splitProtocol(container);
  const ip = hostIp(rawIp);
  if (ip === undefined) return bad(`${rawIp} is not an IP address (an IPv6 one goes in brackets: [::1]:80:80)`);
  if (containerPort === '') return bad('no container port');
  const targets = portRange(containerPort);
  if (!targets) return bad(`${containerPort} is not a port or a range of ports (0-65535)`);
  const published = host === '' ? undefined : portRange(host);
  if (published === null) return bad(`${host} is not a port or a range of ports (0-65535)`);
  const [start, end] = targets;
  if (published && published[1] - published[0] !== end - start && end !== start) {
    return bad(`the ranges ${host} and ${containerPort} have different lengths`);
  }
  if (!PROTOCOLS.includes(proto.toLowerCase())) return bad(`unknown protocol ${proto}`);
  if (start === 0) return bad('the container port must be 1-65535');
  const protocol = proto.toLowerCase() as PortProtocol;
  const out: PortSpec[] = [];
  for (let target = start; target <= end; target++) {
    // A host range with one container port is a range the engine picks one port from.
    const pub = !published ? undefined : end === start ? published : ([published[0] + target - start, published[0] + target - start] as const);
    out.push(port(target, protocol, pub, ip));
  }
  return out;
}

/** compose-go ServicePortConfig: target (a number, or a string compose casts), published (a port or range), host_ip, protocol, mode. */
function parseLong(o: Raw, problem: Problem): PortSpec[] {
  const shown = JSON.stringify(o);
  const bad = (why: string, hint?: string) => (problem(`invalid port ${shown}: ${why}`, hint), [] as PortSpec[]);
  const target = typeof o.target === 'number' ? o.target : typeof o.target === 'string' && /^[-+]?\d+$/.test(o.target) ? Number(o.target) : undefined;
  if (o.target === undefined) return bad('`target` is missing', 'the port inside the container, e.g. `target: 80`');
  if (target === undefined || !Number.isInteger(target) || target < 1 || target > 65535) return bad(`target ${JSON.stringify(o.target)} is not a port (1-65535)`);
  let published: readonly [number, number] | undefined;
  if (o.published !== undefined && o.published !== null && o.published !== '') {
    const range = portRange(String(o.published));
    if (!range || typeof o.published === 'number' && !Number.isInteger(o.published)) return bad(`published ${JSON.stringify(o.published)} is not a port or a range of ports (0-65535)`, 'e.g. `published: 8080` or `published: "8000-8010"`');
    published = range;
  }
  const ip = o.host_ip === undefined ? '' : typeof o.host_ip === 'string' && isIp(o.host_ip) ? o.host_ip : undefined;
  if (ip === undefined) return bad(`host_ip ${JSON.stringify(o.host_ip)} is not an IP address`, 'e.g. 127.0.0.1 or ::1');
  const protocol = o.protocol === undefined ? 'tcp' : String(o.protocol).toLowerCase();
  if (!PROTOCOLS.includes(protocol)) return bad(`unknown protocol ${JSON.stringify(o.protocol)}`, 'tcp, udp or sctp');
  if (o.mode !== undefined && o.mode !== 'host' && o.mode !== 'ingress') return bad(`mode ${JSON.stringify(o.mode)} is neither host nor ingress`);
  const spec = port(target, protocol as PortProtocol, published, ip);
  return [o.mode === undefined ? spec : { ...spec, mode: o.mode as 'host' | 'ingress' }];
}

function port(target: number, protocol: PortProtocol, published: readonly [number, number] | undefined, ip: string): PortSpec {
  // Host port 0 is "any", as no host port is: the engine picks one.
  const pub = published && !(published[0] === 0 && published[1] === 0) ? published : undefined;
  return {
    target,
    ...(pub ? { published: pub[0] } : {}),
    ...(pub && pub[1] !== pub[0] ? { publishedEnd: pub[1] } : {}),
    protocol,
    ...(ip ? { hostIp: ip } : {}),
  };
}

/** nat.SplitProtoPort: `80/udp` → [udp, 80]; no or an empty protocol is tcp; nothing before the `/` is no port. */
function splitProtocol(s: string): [string, string] {
  const parts = s.split('/');
  if (s === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1 || parts[1] === '') return ['tcp', parts[0]!];
  return [parts[1]!, parts[0]!];
}

/** nat.ParsePortRange: `N` or `A-B` (A ≤ B), each 0-65535 in decimal digits; null when not. */
function portRange(s: string): readonly [number, number] | null {
  const one = (x: string | undefined) => (x !== undefined && /^\d+$/.test(x) && Number(x) <= 65535 ? Number(x) : undefined);
  if (!s.includes('-')) {
    const n = one(s);
    return n === undefined ? null : [n, n];
  }
  const [a, b] = s.split('-');
  const start = one(a);
  const end = one(b);
  return start === undefined || end === undefined || end < start ? null : [start, end];
}

/** The host part as net.SplitHostPort leaves it (brackets off an IPv6 address), then net.ParseIP: '' for none, undefined when invalid. */
function hostIp(raw: string): string | undefined {
  const inner = raw.startsWith('[') ? /^\[([^[\]]*)\]$/.exec(raw)?.[1] : /[:[\]]/.test(raw) ? undefined : raw;
  if (inner === undefined) return undefined;
  return inner === '' || isIp(inner) ? inner : undefined;
}

/** Go's net.ParseIP: dotted IPv4 without leading zeros, or IPv6 without a zone. */
function isIp(s: string): boolean {
  return isIPv4(s) || (isIPv6(s) && !s.includes('%'));
}
