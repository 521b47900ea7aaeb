// docker-machine habits through the binary, on the sim driver: `ls` (ACTIVE, --filter, --format, -q),
// `active`, and `env --unset` in each shell's syntax. Every rule is read from docker/machine's code
// (github.com/docker/machine at b170508): the file and function are named in each test.
// `env MACHINE` needs a real engine: test/integration/machine-env.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadManifest } from '../../src/manifest/index.js';
import { closeDrivers, openDrivers } from '../../src/providers/index.js';
import { cluster } from '../support/cli.js';

const MANIFEST = `name: habits
machines:
  alpha:
    driver: sim
    labels: { size: small, zone: east }
  beta-1:
    driver: sim
    role: manager
    labels: { size: XXL }
  beta-2:
    driver: sim
    labels: { size: small }
`;

// Each test runs the binary up to ten times: generous for a busy 2-core machine.
describe('docker-machine habits on the sim driver', { timeout: 120_000 }, () => {
  let dir: string;
  const run = (args: string[], env: Record<string, string | undefined> = {}) => cluster([...args, '-f', join(dir, 'cluster.yml')], { cwd: dir, env: { DOCKER_HOST: undefined, ...env } });
  const url = (m: string) => `sim://habits/${m}`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cluster-habits-'));
    writeFileSync(join(dir, 'cluster.yml'), MANIFEST);
    const r = run(['apply', '--auto-approve']);
    expect(r.code, r.stderr).toBe(0);
  });

  test('ls: the default table is docker-machine\'s columns (ls.go lsDefaultFormat) with ACTIVE `*` where DOCKER_HOST is the URL (isActive), STATE spelt as libmachine/state/state.go `states`', () => {
    const r = run(['ls'], { DOCKER_HOST: url('beta-1') });
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header!.split(/\s+/)).toEqual(['NAME', 'ACTIVE', 'DRIVER', 'STATE', 'URL', 'SWARM', 'DOCKER', 'ERRORS']);
    expect(rows.map((l) => l.split(/\s+/).slice(0, 5))).toEqual([
      ['alpha', '-', 'sim', 'Running', url('alpha')],
      ['beta-1', '*', 'sim', 'Running', url('beta-1')],
      ['beta-2', '-', 'sim', 'Running', url('beta-2')],
    ]);
    // columns line up (text/tabwriter, padding 3): every row's URL starts where the header's does
    for (const row of rows) expect(row.indexOf('sim://')).toBe(header!.indexOf('URL'));
    // DOCKER_HOST elsewhere, or unset: nobody is active
    for (const host of ['tcp://192.0.2.1:2376', undefined]) expect(run(['ls'], { DOCKER_HOST: host }).stdout).not.toMatch(/^\S+\s+\*/m);
  });

  test('ls --json: `active` beside the existing fields; --filter applies to it too', () => {
    const doc = JSON.parse(run(['ls', '--json', '--filter', 'name=^beta'], { DOCKER_HOST: url('beta-2') }).stdout) as { format_version: string; machines: { name: string; active: boolean; url: string }[] };
    expect(doc.format_version).toBe('1.0');
    expect(doc.machines.map((m) => [m.name, m.active])).toEqual([
      ['beta-1', false],
      ['beta-2', true],
    ]);
  });

  test('ls -q: only the names (cmdLs quiet), after the filters', () => {
    expect(run(['ls', '-q']).stdout).toBe('alpha\nbeta-1\nbeta-2\n');
    expect(run(['ls', '-q', '--filter', 'label=zone']).stdout).toBe('alpha\n');
  });

  test('ls --filter as ls.go filterHost: keys AND, values of one key OR; driver/state/label values without case; name a regular expression', () => {
    const q = (...filters: string[]) => run(['ls', '-q', ...filters.flatMap((f) => ['--filter', f])]).stdout.trim().split('\n').filter(Boolean);
    expect(q('name=-\\d$')).toEqual(['beta-1', 'beta-2']); // matchesName: regexp.MatchString, unanchored
    expect(q('name=^alpha$', 'name=2')).toEqual(['alpha', 'beta-2']); // one key: OR
    expect(q('label=size=small', 'name=beta')).toEqual(['beta-2']); // keys: AND
    expect(q('label=size=xxl')).toEqual(['beta-1']); // matchesLabel: strings.EqualFold on the value
    expect(q('label=size=xxl', 'label=zone=EAST')).toEqual(['alpha', 'beta-1']);
    expect(q('STATE=Running')).toHaveLength(3); // key lower-cased (parseFilters), state EqualFold (matchesState)
    expect(q('state=stopped')).toEqual([]);
    expect(q('state=running')).toHaveLength(3); // the column says Running; the filter compares without case
    expect(q('driver=SIM')).toHaveLength(3); // matchesDriverName: EqualFold
    expect(q('driver=docker')).toEqual([]);
  });

  test('ls --filter refuses what docker-machine refuses, before touching anything (parseFilters)', () => {
    const bad = (f: string) => run(['ls', '--filter', f]);
    expect(bad('nokey')).toMatchObject({ code: 1, stderr: expect.stringContaining('write KEY=VALUE') });
    expect(bad('stat=running')).toMatchObject({ code: 1, stderr: expect.stringMatching(/unsupported filter key 'stat' \(did you mean `state`\?\)/) });
    expect(bad('name=(')).toMatchObject({ code: 1, stderr: expect.stringContaining('not a regular expression') });
    expect(bad('swarm=beta-1')).toMatchObject({ code: 1, stderr: expect.stringContaining("classic Swarm's master") });
    for (const r of ['nokey', 'name=('].map(bad)) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('ls --format: {{.Field}} with HostListItem\'s names; `table` adds headers (parseFormat, headers); \\t escapes', () => {
    const plain = run(['ls', '--format', '{{.Name}}={{ .URL }} {{.ActiveHost}}', '--filter', 'name=alpha'], { DOCKER_HOST: url('alpha') });
    expect(plain.stdout).toBe(`alpha=${url('alpha')} true\n`);
    const table = run(['ls', '--format', 'table {{.Name}}\\t{{.Swarm}}\\t{{.DriverName}}']);
    expect(table.stdout.split('\n').map((l) => l.trimEnd())).toEqual(['NAME     SWARM     DRIVER', 'alpha              sim', 'beta-1   manager   sim', 'beta-2             sim', '']);
  });

  test('ls --format names what it cannot do instead of printing blanks', () => {
    const bad = (f: string) => run(['ls', '--format', f]);
    expect(bad('{{.Nmae}}')).toMatchObject({ code: 1, stderr: expect.stringContaining('no field .Nmae (did you mean `.Name`?)') });
    expect(bad('{{json .}}')).toMatchObject({ code: 1, stderr: expect.stringContaining('only {{.Field}} is supported') });
    expect(bad('{{.ResponseTime}}')).toMatchObject({ code: 1, stderr: expect.stringContaining('.ResponseTime:') });
    expect(bad('{{.Name')).toMatchObject({ code: 1, stderr: expect.stringContaining('unclosed action') });
    expect(run(['ls', '-q', '--json'])).toMatchObject({ code: 1, stderr: expect.stringContaining('choose one of --json, -q and --format') });
  });

  test('ls STATE of a stopped machine is "Stopped" (libmachine/state/state.go), ACTIVE never `*` (isActive: state.Running only); --json keeps cluster\'s state names', async () => {
    const loaded = loadManifest(join(dir, 'cluster.yml'));
    if (!loaded.ok) throw new Error('manifest');
    const drivers = await openDrivers(loaded.desired);
    try {
      await drivers.get('sim')!.stop!('alpha');
    } finally {
      await closeDrivers(drivers);
    }
    try {
      const r = run(['ls', '--format', '{{.Name}} {{.State}} {{.Active}}'], { DOCKER_HOST: url('alpha') });
      expect(r.stdout).toBe('alpha Stopped -\nbeta-1 Running -\nbeta-2 Running -\n');
      expect(run(['ls', '-q', '--filter', 'state=Stopped']).stdout).toBe('alpha\n');
      const doc = JSON.parse(run(['ls', '--json']).stdout) as { machines: { name: string; state: string }[] };
      expect(doc.machines.map((m) => m.state)).toEqual(['stopped', 'running', 'running']);
    } finally {
      expect(run(['apply', '--auto-approve']).code).toBe(0); // started again for the tests after this one
    }
  });

  test('active: the running machine DOCKER_HOST points at (active.go activeHost); exit 1 with the reason when none', () => {
    expect(run(['active'], { DOCKER_HOST: url('beta-2') })).toMatchObject({ code: 0, stdout: 'beta-2\n' });
    expect(JSON.parse(run(['active', '--json'], { DOCKER_HOST: url('alpha') }).stdout)).toEqual({ format_version: '1.0', machine: 'alpha', url: url('alpha') });
    const unset = run(['active']);
    expect([unset.code, unset.stdout]).toEqual([1, '']);
    expect(unset.stderr).toContain('no active machine: DOCKER_HOST is not set');
    expect(unset.stderr).toContain('eval $(cluster env MACHINE)');
    const elsewhere = run(['active'], { DOCKER_HOST: 'tcp://192.0.2.1:2376' });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('DOCKER_HOST (tcp://192.0.2.1:2376) is not the URL of a machine of cluster habits');
  });

  test('env --unset unsets the four variables env sets, in each shell (env.go shellCfgUnset), with its usage hint (EnvUsageHintGenerator)', () => {
    const unset = (shell: string) => run(['env', '--unset', '--shell', shell]);
    const vars = ['DOCKER_TLS_VERIFY', 'DOCKER_HOST', 'DOCKER_CERT_PATH', 'DOCKER_MACHINE_NAME'];
    const f = join(dir, 'cluster.yml');
    expect(unset('bash').stdout).toBe(`${vars.map((v) => `unset ${v};\n`).join('')}# Run this command to configure your shell:\n# eval $(cluster env --unset --shell bash -f ${f})\n`);
    expect(unset('fish').stdout).toBe(`${vars.map((v) => `set -e ${v};\n`).join('')}# Run this command to configure your shell:\n# eval (cluster env --unset --shell fish -f ${f})\n`);
    expect(unset('powershell').stdout).toBe(`${vars.map((v) => `Remove-Item Env:\\${v}\n`).join('')}# Run this command to configure your shell:\n# & cluster env --unset --shell powershell -f ${f} | Invoke-Expression\n`);
    expect(unset('cmd').stdout).toBe(`${vars.map((v) => `SET ${v}=\n`).join('')}REM Run this command to configure your shell:\nREM @FOR /f "tokens=*" %i IN ('cluster env --unset --shell cmd -f ${f}') DO @%i\n`);
    expect(unset('tcsh').stdout).toContain('unsetenv DOCKER_MACHINE_NAME;\n: Run this command to configure your shell:\n: eval `cluster env --unset --shell tcsh');
    const json = JSON.parse(run(['env', '--unset', '--json', '--shell', 'fish']).stdout);
    expect(json).toEqual({ format_version: '1.0', machine: null, shell: 'fish', set: {}, unset: vars });
  });

  test('env picks the syntax from $SHELL as libmachine/shell Detect (base name; unknown: sh syntax; none: sh with a note on stderr)', () => {
    const env = (vars: Record<string, string | undefined>) => cluster(['env', '--unset'], { cwd: dir, env: { SHELL: undefined, __fish_bin_dir: undefined, ...vars } });
    expect(env({ SHELL: '/usr/local/bin/fish' }).stdout).toMatch(/^set -e DOCKER_TLS_VERIFY;\n[^]*# eval \(cluster env --unset\)\n$/);
    expect(env({ SHELL: '/bin/zsh' }).stdout).toMatch(/^unset DOCKER_TLS_VERIFY;\n[^]*# eval \$\(cluster env --unset\)\n$/);
    expect(env({ SHELL: '/usr/bin/tcsh' }).stdout).toMatch(/^unsetenv DOCKER_TLS_VERIFY;/);
    expect(env({ SHELL: '/opt/microsoft/powershell/7/pwsh' }).stdout).toMatch(/^Remove-Item Env:\\DOCKER_TLS_VERIFY\n/);
    expect(env({ SHELL: '/bin/ksh' }).stdout).toMatch(/^unset DOCKER_TLS_VERIFY;\n/);
    const none = env({});
    expect(none.stdout).toMatch(/^unset DOCKER_TLS_VERIFY;\n/);
    expect(none.stderr).toContain('specify the shell');
    expect(env({ SHELL: '/bin/bash', __fish_bin_dir: '/usr/bin' }).stdout).toMatch(/^set -e /);
  });

  test('env --unset takes no machine (env.go errImproperUnsetEnvArgs); a sim machine has no engine for the docker CLI', () => {
    const both = run(['env', 'alpha', '--unset']);
    expect([both.code, both.stdout]).toEqual([1, '']);
    expect(both.stderr).toContain('expected no machine name with --unset');
    const sim = run(['env', 'alpha']);
    expect(sim.code).toBe(1);
    expect(sim.stderr).toContain('simulated');
  });
});
