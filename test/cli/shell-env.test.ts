// The set lines of `cluster env` in each shell (docker/machine commands/env.go shellCfgSet's Prefix,
// Delimiter, Suffix), and hints that quote an argument with a space. The unset side and detection run
// through the binary in machine-habits.test.ts; bash end to end in test/integration/machine-env.test.ts.
import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { envLines, usageHint } from '../../src/cli/commands/shell-env.js';

const vars = { DOCKER_TLS_VERIFY: '1', DOCKER_HOST: 'tcp://192.0.2.7:2376', DOCKER_CERT_PATH: '/certs/m1', DOCKER_MACHINE_NAME: 'm1' };

test.each([
  ['bash', 'export DOCKER_HOST="tcp://192.0.2.7:2376";'],
  ['fish', 'set -gx DOCKER_HOST "tcp://192.0.2.7:2376";'],
  ['powershell', '$Env:DOCKER_HOST = "tcp://192.0.2.7:2376"'],
  ['cmd', 'SET DOCKER_HOST=tcp://192.0.2.7:2376'],
  ['tcsh', 'setenv DOCKER_HOST "tcp://192.0.2.7:2376";'],
  ['emacs', '(setenv "DOCKER_HOST" "tcp://192.0.2.7:2376")'],
] as const)('%s: one line per variable in envTmpl order, DOCKER_HOST as %s', (shell, line) => {
  const lines = envLines(shell, vars).split('\n');
  expect(lines).toHaveLength(5);
  expect(lines[1]).toBe(line);
  expect(lines.map((l) => /DOCKER_\w+/.exec(l)?.[0])).toEqual([...Object.keys(vars), undefined]);
});

test('a usage hint names the command line, quoting an argument with a space (EnvUsageHintGenerator)', () => {
  expect(usageHint('fish', ['env', 'm1', '-f', 'my cluster.yml'])).toBe('# Run this command to configure your shell:\n# eval (cluster env m1 -f "my cluster.yml")\n');
  expect(usageHint('powershell', ['env', 'm1'])).toBe('# Run this command to configure your shell:\n# & cluster env m1 | Invoke-Expression\n');
  expect(usageHint('cmd', ['env', 'm1'])).toBe(`REM Run this command to configure your shell:\nREM @FOR /f "tokens=*" %i IN ('cluster env m1') DO @%i\n`);
});

test('sh syntax survives `eval $(cluster env m1)` unquoted, as the README and docker-machine\'s hint write it: bash joins the lines into one', () => {
  // A machine without TLS: its env unsets the TLS variables around the exports (env.go never mixes them;
  // without a `;` per line the joined `unset DOCKER_TLS_VERIFY export DOCKER_HOST=...` unsets DOCKER_HOST).
  const lines = envLines('bash', { DOCKER_TLS_VERIFY: null, DOCKER_HOST: 'unix:///m1/docker.sock', DOCKER_CERT_PATH: null, DOCKER_MACHINE_NAME: 'm1' }) + usageHint('bash', ['env', 'm1']);
  for (const shell of ['bash', 'sh']) {
    const script = `eval $(cat <<'EOF'\n${lines}EOF\n)\necho "host=$DOCKER_HOST name=$DOCKER_MACHINE_NAME tls=\${DOCKER_TLS_VERIFY-unset} certs=\${DOCKER_CERT_PATH-unset}"`;
    const r = spawnSync(shell, ['-c', script], { env: { PATH: process.env.PATH, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/old' }, encoding: 'utf8' });
    expect(r.stdout, `${shell}: ${r.stderr}`).toBe('host=unix:///m1/docker.sock name=m1 tls=unset certs=unset\n');
  }
});
