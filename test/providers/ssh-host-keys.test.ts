// The ssh driver's trust in a host: known_hosts on first contact (as OpenSSH's StrictHostKeyChecking
// yes / accept-new, ssh(1) and openssh-portable hostfile.c: check_key_in_hostkeys), then only the
// key pinned in the folder's state.
import { createHmac, randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { fingerprint, judgeHostKey, knownHostStatus } from '../../src/providers/ssh/host-keys.js';

const blob = (type: string) => {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, randomBytes(32)]);
};
const key = blob('ssh-ed25519');
const other = blob('ssh-ed25519');
const hashed = (name: string) => {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
};
const known = [`10.0.0.5 ssh-ed25519 ${key.toString('base64')}`, `[10.0.0.6]:2222 ssh-ed25519 ${key.toString('base64')}`, `${hashed('h.example.org')} ssh-ed25519 ${key.toString('base64')}`].join('\n');

test('known_hosts: a listed key matches, another key for a listed name is a mismatch, an unlisted name is unknown', () => {
  expect(knownHostStatus(known, '10.0.0.5', 22, key)).toBe('match');
  expect(knownHostStatus(known, '10.0.0.6', 2222, key)).toBe('match');
  expect(knownHostStatus(known, '10.0.0.6', 22, key)).toBe('unknown');
  expect(knownHostStatus(known, 'h.example.org', 22, key)).toBe('match');
  expect(knownHostStatus(known, '10.0.0.5', 22, other)).toBe('mismatch');
  expect(knownHostStatus(known, '10.0.0.9', 22, key)).toBe('unknown');
});

test('strict: an unknown host is refused with its fingerprint and the way to trust it; accept-new trusts and pins it', () => {
  const strict = judgeHostKey(key, '10.0.0.9', 22, 'strict', undefined, known);
  expect(strict).toMatchObject({ ok: false });
  if (!strict.ok) {
    expect(strict.message).toContain(`the host key of 10.0.0.9 (ssh-ed25519 ${fingerprint(key)}) is not in known_hosts`);
    expect(strict.hint).toContain('ssh-keyscan -p 22 10.0.0.9');
    expect(strict.hint).toContain('host-key: accept-new');
  }
  expect(judgeHostKey(key, '10.0.0.9', 22, 'accept-new', undefined, known)).toEqual({ ok: true, pin: true });
  expect(judgeHostKey(key, '10.0.0.5', 22, 'strict', undefined, known)).toEqual({ ok: true, pin: true });
});

test('a host known with another key is refused even with accept-new (as OpenSSH does)', () => {
  const v = judgeHostKey(other, '10.0.0.5', 22, 'accept-new', undefined, known);
  expect(v.ok).toBe(false);
  if (!v.ok) expect(v.hint).toContain("ssh-keygen -R '10.0.0.5'");
});

test('once pinned, only the pinned key passes, whatever known_hosts says', () => {
  expect(judgeHostKey(key, '10.0.0.9', 22, 'strict', key.toString('base64'), '')).toEqual({ ok: true, pin: false });
  const changed = judgeHostKey(other, '10.0.0.5', 22, 'accept-new', key.toString('base64'), `10.0.0.5 ssh-ed25519 ${other.toString('base64')}`);
  expect(changed.ok).toBe(false);
  if (!changed.ok) expect(changed.message).toContain('changed since this folder provisioned it');
});

test('fingerprints are printed as ssh-keygen -l does (SHA256, base64 without padding)', () => {
  expect(fingerprint(key)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
});
