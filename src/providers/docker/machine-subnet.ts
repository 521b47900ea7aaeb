// Where a docker-driver cluster's machines live on the host engine: a subnet for their network and a
// fixed address for each machine. Pure: the engine's networks and the addresses in use go in, a
// choice comes out, the same for the same inputs.
//
// Docker grants a container a fixed IPv4 address only on a network created with a subnet the user
// chose ("user specified IP address is supported only when connecting to networks with user
// configured subnets": moby api/types/network/endpoint.go, IsInRange), so the driver must pick one. The range is 10.200.0.0-10.254.255.255 in /24
// blocks: Docker's local pools are 172.17-31.0.0/16 and 192.168.0-240.0/20, and its global (overlay)
// pool hands out 10.x.x.0/24 from 10.0.0.0/24 upwards (moby libnetwork/ipamutils/utils.go,
// PredefinedLocalScopeDefaultNetworks / PredefinedGlobalScopeDefaultNetworks), so a nested swarm
// only meets this range after tens of thousands of overlays.
import { createHash } from 'node:crypto';

const FIRST_BLOCK = (10 << 24) | (200 << 16); // 10.200.0.0
const BLOCKS = 55 * 256; // 10.200.0.0/24 .. 10.254.255.0/24
const BLOCK_BITS = 24;

/** A /24 block in the machines' range that overlaps none of `taken` (CIDRs, IPv4; others are ignored). */
export function chooseSubnet(taken: readonly string[], seed: string): string | undefined {
  const ranges = taken.map(parseCidr).filter((r): r is Range => r !== undefined);
  // Start where the seed (cluster and folder) points, so clusters on one host rarely try the same
  // block first; walk on from there, wrapping, so every free block is found.
  const start = createHash('sha256').update(seed).digest().readUInt32BE(0) % BLOCKS;
  for (let i = 0; i < BLOCKS; i++) {
    const base = FIRST_BLOCK + ((start + i) % BLOCKS) * 256;
    const block: Range = { first: base, last: base + 255 };
    if (!ranges.some((r) => r.first <= block.last && block.first <= r.last)) return `${formatIp(base)}/${BLOCK_BITS}`;
  }
  return undefined;
}

/**
 * The lowest host address of `subnet` that is not in `used` (the gateway, the other machines' recorded
 * addresses, whatever else is attached): a machine re-made after a removal gets a low address back
 * instead of the block filling up.
 */
export function chooseAddress(subnet: string, used: Iterable<string>): string | undefined {
  const range = parseCidr(subnet);
  if (!range) return undefined;
  const taken = new Set<number>();
  for (const u of used) {
    const n = parseIp(u.split('/')[0]!);
    if (n !== undefined) taken.add(n);
  }
  // Not the network's own address, not its broadcast address.
  for (let n = range.first + 1; n < range.last; n++) if (!taken.has(n)) return formatIp(n);
  return undefined;
}

/** The gateway Docker gives a network without one configured: the subnet's first host address. */
export function defaultGateway(subnet: string): string | undefined {
  const range = parseCidr(subnet);
  return range && range.last - range.first >= 2 ? formatIp(range.first + 1) : undefined;
}

interface Range {
  first: number;
  last: number;
}

function parseCidr(cidr: string): Range | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const ip = parseIp(m[1]!);
  const bits = Number(m[2]);
  if (ip === undefined || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  const first = ip - (ip % size);
  return { first, last: first + size - 1 };
}

function parseIp(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
