// `eval $(cluster env MACHINE)` in a real bash, then the real docker CLI and `cluster active`, on a
// machine with a real engine (the generic driver adopting the private dockerd; nothing is created).
// Rules from docker/machine commands/env.go (shellCfgSet: DOCKER_MACHINE_NAME; shellCfgUnset) and
// commands/ls.go isActive (DOCKER_HOST equals the machine's URL).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { BIN, clusterAsync } from '../support/cli.js';
import { DOCKER_HOST } from './env.js';

const NAME = `menv${process.pid}`;

describe('cluster env on a machine with a real engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cl-menv-'));
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, `name: ${NAME}\nmachines:\n  host1:\n    driver: generic\n    url: ${DOCKER_HOST}\n`);
  const cli = `${process.execPath} ${BIN}`;

  test('bash: sets DOCKER_HOST and DOCKER_MACHINE_NAME, unsets stale TLS variables, hints how to eval', async () => {
    const r = await clusterAsync(['env', 'host1', '--shell', 'bash', '-f', file], { cwd: dir, env: { DOCKER_HOST: undefined } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        'unset DOCKER_TLS_VERIFY;',
        `export DOCKER_HOST="${DOCKER_HOST}";`,
        'unset DOCKER_CERT_PATH;',
        'export DOCKER_MACHINE_NAME="host1";',
        '# Run this command to configure your shell:',
        `# eval $(cluster env host1 --shell bash -f ${file})`,
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await clusterAsync(['env', 'host1', '--json', '-f', file], { cwd: dir, env: { DOCKER_HOST: undefined, SHELL: '/usr/bin/fish' } })).stdout);
    expect(json).toEqual({ format_version: '1.0', machine: 'host1', shell: 'fish', set: { DOCKER_HOST, DOCKER_MACHINE_NAME: 'host1' }, unset: ['DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH'] });
  });

  test('eval in bash: the docker CLI reaches the machine even after a TLS machine\'s env; `active` names it; --unset undoes it', async () => {
    // A previous `env` of a TLS machine left these behind; with them the docker CLI would look for
    // /nonexistent/ca.pem and fail.
    const script = [
      // unquoted, as the README and the hint write it: bash joins the lines (hence each ends with `;`)
      `eval $(${cli} env host1 -f ${file})`,
      `docker version --format 'api={{.Server.APIVersion}}'`,
      `echo "name=$DOCKER_MACHINE_NAME"`,
      `${cli} active -f ${file}`,
      `eval $(${cli} env --unset)`,
      `echo "after=$DOCKER_HOST$DOCKER_MACHINE_NAME$DOCKER_TLS_VERIFY"`,
      `${cli} active -f ${file} || echo "active-exit=$?"`,
    ].join('\n');
    const env: Record<string, string> = { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', SHELL: '/bin/bash', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent', CI: 'true' };
    const { stdout, stderr } = await promisify(execFile)('bash', ['-c', script], { cwd: dir, env, timeout: 120_000 });
    expect(stdout).toMatch(/^api=1\.\d+\nname=host1\nhost1\nafter=\nactive-exit=1\n$/);
    expect(stderr).toContain('no active machine: DOCKER_HOST is not set');
  });
});
