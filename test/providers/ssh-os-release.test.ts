// Which hosts the ssh driver provisions, from /etc/os-release (os-release(5): ID, ID_LIKE).
import { expect, test } from 'vitest';
import { UserError } from '../../src/model/diagnostic.js';
import { checkOs, parseOsRelease } from '../../src/providers/ssh/os-release.js';

const message = (text: string): string | undefined => {
  try {
    checkOs('m1', 'root@10.0.0.5', text);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as UserError).diagnostics[0]!.message;
  }
};

test('Debian, Ubuntu and their derivatives pass', () => {
  expect(message('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n')).toBeUndefined();
  expect(message('NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n')).toBeUndefined();
  expect(message('ID=linuxmint\nID_LIKE="ubuntu debian"\n')).toBeUndefined();
});

test('anything else is refused by name, before anything is changed', () => {
  expect(message('ID=alpine\nPRETTY_NAME="Alpine Linux v3.20"')).toBe('ssh machine m1 (root@10.0.0.5) runs Alpine Linux v3.20: the ssh driver provisions Debian and Ubuntu only');
  expect(message('ID="rocky"\nID_LIKE="rhel centos fedora"\n')).toContain('runs rocky');
  expect(message('')).toContain('runs an unknown system (no /etc/os-release)');
});

test('quoted and unquoted values', () => {
  expect(parseOsRelease("ID='debian'\nVERSION_CODENAME=bookworm\n# comment\n")).toEqual({ ID: 'debian', VERSION_CODENAME: 'bookworm' });
});
