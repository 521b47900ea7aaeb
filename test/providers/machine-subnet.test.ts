// The docker driver's choice of a subnet for a cluster's machines network and of each machine's fixed
// address (src/providers/docker/machine-subnet.ts): pure, so every case is data in, choice out.
import { describe, expect, test } from 'vitest';
import { chooseAddress, chooseSubnet, defaultGateway } from '../../src/providers/docker/machine-subnet.js';

const block = (cidr: string) => {
  const [ip, bits] = cidr.split('/');
  const [a, b, c, d] = ip!.split('.').map(Number);
  return { a: a!, b: b!, c: c!, d: d!, bits: Number(bits) };
};

describe('chooseSubnet', () => {
  test('a /24 in 10.200.0.0-10.254.255.255, the same for the same seed and networks', () => {
    const s = chooseSubnet(['172.17.0.0/16'], 'demo\0/home/me/demo')!;
    const { a, b, d, bits } = block(s);
    expect([a, d, bits]).toEqual([10, 0, 24]);
    expect(b).toBeGreaterThanOrEqual(200);
    expect(b).toBeLessThanOrEqual(254);
    expect(chooseSubnet(['172.17.0.0/16'], 'demo\0/home/me/demo')).toBe(s);
  });

  test('clusters with other seeds start elsewhere', () => {
    const chosen = new Set(['a', 'b', 'c', 'd', 'e', 'f'].map((seed) => chooseSubnet([], seed)));
    expect(chosen.size).toBeGreaterThan(1);
  });

  test('never a block that overlaps a network the engine has: the next free one, whatever the taken prefix length', () => {
    const seed = 'overlap-case';
    const first = chooseSubnet([], seed)!;
    // The same block, a /16 around it, a /28 inside it, a /32: each rules the block out.
    const { b, c } = block(first);
    for (const taken of [first, `10.${b}.0.0/16`, `10.${b}.${c}.64/28`, `10.${b}.${c}.7/32`]) {
      const next = chooseSubnet([taken], seed)!;
      expect(next, taken).not.toBe(first);
      expect(block(next).a).toBe(10);
    }
    // Blocks nowhere near it, IPv6 subnets and garbage change nothing.
    expect(chooseSubnet(['192.168.0.0/20', 'fd00::/64', 'nonsense', ''], seed)).toBe(first);
  });

  test('walks past a run of taken blocks, wrapping at the end of the range', () => {
    const seed = 'walk';
    const taken: string[] = [];
    let chosen = chooseSubnet(taken, seed)!;
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      expect(seen.has(chosen)).toBe(false);
      seen.add(chosen);
      taken.push(chosen);
      chosen = chooseSubnet(taken, seed)!;
    }
    expect(seen.size).toBe(300);
  });

  test('nothing when the whole range is taken', () => {
    expect(chooseSubnet(['10.0.0.0/8'], 'full')).toBeUndefined();
    expect(chooseSubnet(['10.192.0.0/10'], 'full')).toBeUndefined();
    expect(chooseSubnet(['10.192.0.0/11'], 'full')).toBeDefined(); // 10.192-223: 10.224-254 are free
  });
});

describe('chooseAddress', () => {
  test('the lowest host address not used, never the network or broadcast address', () => {
    expect(chooseAddress('10.201.3.0/24', ['10.201.3.1'])).toBe('10.201.3.2');
    expect(chooseAddress('10.201.3.0/24', ['10.201.3.1', '10.201.3.2/24', '10.201.3.4'])).toBe('10.201.3.3');
    expect(chooseAddress('10.201.3.0/24', [])).toBe('10.201.3.1');
    const all = Array.from({ length: 253 }, (_, i) => `10.201.3.${i + 1}`);
    expect(chooseAddress('10.201.3.0/24', all)).toBe('10.201.3.254');
    expect(chooseAddress('10.201.3.0/24', [...all, '10.201.3.254'])).toBeUndefined();
  });

  test('a machine removed frees its address for the next one', () => {
    expect(chooseAddress('10.201.3.0/24', ['10.201.3.1', '10.201.3.3'])).toBe('10.201.3.2');
  });

  test('gateway: the first host address', () => {
    expect(defaultGateway('10.201.3.0/24')).toBe('10.201.3.1');
  });
});
