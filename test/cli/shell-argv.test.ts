// The command lines `cluster ssh` and `cluster scp` run: manifest values never become options.
import { describe, expect, test } from 'vitest';
import { dockerCpArgv, dockerExecArgv, sshArgv } from '../../src/cli/commands/shell-argv.js';
import { parseEngineUrl } from '../../src/manifest/engine-url.js';

describe('sshArgv', () => {
  test('`--` comes before the destination; port and user are kept', () => {
    expect(sshArgv('ssh://ops@node-1.example.com:2222', [])).toEqual(['-p', '2222', '--', 'ops@node-1.example.com']);
    expect(sshArgv('ssh://10.0.0.5', ['uptime'])).toEqual(['--', '10.0.0.5', 'uptime']);
    expect(sshArgv('ssh://root@[fd00::5]:22', ['-v'])).toEqual(['-p', '22', '--', 'root@fd00::5', '-v']);
  });

  test('a host or user that would be read as an option is refused, not passed to ssh', () => {
    expect(() => sshArgv('ssh://-oProxyCommand=touch%20/tmp/x', [])).toThrow(/invalid host "-oProxyCommand=touch%20"/);
    expect(() => sshArgv('ssh://-oProxyCommand=x@host', [])).toThrow(/invalid ssh user name "-oProxyCommand=x"/);
    expect(() => sshArgv('tcp://host:2376', [])).toThrow(/not an ssh:\/\/ URL/);
  });
});

test('docker exec and docker cp put `--` before the container and paths', () => {
  expect(dockerExecArgv('demo-m1', [], true)).toEqual(['exec', '-it', '--', 'demo-m1', 'sh']);
  expect(dockerExecArgv('demo-m1', ['ls', '-l'], true)).toEqual(['exec', '-i', '--', 'demo-m1', 'sh', '-c', 'ls -l']);
  expect(dockerCpArgv('-weird-local-file', 'demo-m1:/tmp')).toEqual(['cp', '--', '-weird-local-file', 'demo-m1:/tmp']);
});

describe('parseEngineUrl', () => {
  test.each([
    'unix:///var/run/docker.sock',
    'tcp://10.0.0.5:2376',
    'tcp://docker_host.internal',
    'https://engine.example.com.',
    'ssh://deploy@host-1',
    'ssh://[::1]:2222',
  ])('%s is accepted', (url) => expect(parseEngineUrl(url).ok).toBe(true));

  test.each([
    ['ssh://-oProxyCommand=touch /tmp/x', /invalid host/],
    ['ssh://host -oProxyCommand=x', /invalid host/],
    ['ssh://-user@host', /invalid ssh user name/],
    ['ssh://user:secret@host', /holds a password/],
    ['ssh://user@host/some/path', /has "\/some\/path" after its host/],
    ['tcp://host:2376?x=1', /has "\?x=1" after its host/],
    ['ssh://host#frag', /has "#frag" after its host/],
    ['tcp://user@host:2376', /takes no user name/],
    ['ssh://[not-ipv6]', /invalid host "\[not-ipv6\]"/],
    ['tcp://host:99999', /invalid port "99999"/],
    ['tcp://host:', /invalid port ""/],
    ['ftp://host', /unsupported engine URL scheme ftp/],
    ['unix://host/sock', /names a socket path, not a host/],
    ['host:2376', /invalid engine URL/],
    ['tcp://', /invalid host ""/],
  ])('%s is refused', (url, why) => {
    const r = parseEngineUrl(url);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.message).toMatch(why);
  });
});
