// ssh engines: only host keys listed in known_hosts are trusted (ssh2 alone would accept any).
import { createHmac, randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { knownHostMatches } from '../../src/providers/docker/connection.js';

const key = randomBytes(51);
const other = randomBytes(51);
const hashed = (name: string) => {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
};

test('plain, bracketed-port and hashed entries; wrong key or host refused', () => {
  const file = [
    '# comment',
    `web1.example.org,10.0.0.5 ssh-ed25519 ${key.toString('base64')}`,
    `[build.example.org]:2222 ssh-ed25519 ${key.toString('base64')}`,
    `${hashed('secret.example.org')} ssh-ed25519 ${key.toString('base64')}`,
    `@revoked old.example.org ssh-ed25519 ${key.toString('base64')}`,
  ].join('\n');
  expect(knownHostMatches(file, 'web1.example.org', 22, key)).toBe(true);
  expect(knownHostMatches(file, '10.0.0.5', 22, key)).toBe(true);
  expect(knownHostMatches(file, 'build.example.org', 2222, key)).toBe(true);
  expect(knownHostMatches(file, 'build.example.org', 22, key)).toBe(false);
  expect(knownHostMatches(file, 'secret.example.org', 22, key)).toBe(true);
  expect(knownHostMatches(file, 'web1.example.org', 22, other)).toBe(false);
  expect(knownHostMatches(file, 'unknown.example.org', 22, key)).toBe(false);
  expect(knownHostMatches(file, 'old.example.org', 22, key)).toBe(false);
});
