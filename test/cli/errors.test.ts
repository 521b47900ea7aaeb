// Bad input through the real binary: exit 1, file:line:col, the offending line with a caret, a hint,
// and never a stack trace.
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cluster } from '../support/cli.js';

const broken = join(import.meta.dirname, '../fixtures/manifests/broken');
// Where each broken manifest must be reported, and a piece of the message (checked by hand once).
const EXPECT: Record<string, string> = {
  'alias-bomb.yml': '3:8 too many aliases: Excessive alias count',
  'bad-constraint-key.yml': '12:9 invalid key',
  'bad-constraint-operator.yml': '12:9 no operator in expression',
  'bad-constraint-regex.yml': '12:9 invalid regular expression /[a-/ in',
  'bad-driver.yml': '4:13 machines.m1.driver must be one of docker',
  'bad-memory.yml': '6:13 invalid memory size',
  'bad-name.yml': '1:7 invalid cluster name',
  'bad-port.yml': '11:13 invalid port',
  'bad-role.yml': '5:11 machines.m1.role must be one of manager,',
  'bad-strategy.yml': '9:13 scheduler.strategy must be one of spread',
  'bad-swarm-constraint.yml': '13:23 unknown constraint field',
  'bad-yaml.yml': '10:1 YAML syntax: Flow sequence in block coll',
  'compose-only-key.yml': "11:5 `env_file` works in a compose file's services, not in the manifest's own",
  'count-zero.yml': '5:12 count must be a whole number from 1 to 1',
  'depends-cycle.yml': '11:18 dependency cycle: a → b → a',
  'depends-dangling.yml': '11:18 service a depends on nothere, which is n',
  'duplicate-key.yml': '11:5 duplicate key: this key is already set e',
  'generic-no-url.yml': '3:3 generic machine h1 needs `url`',
  'interpolation-required.yml': '10:12 required variable IMAGE_THAT_IS_NOT_SET',
  'invalid-utf8.yml': '9:16 the manifest is not valid UTF-8',
  'missing-image.yml': '9:3 missing required key `image` in services',
  'scale-absurd.yml': '11:12 scale 1000000000000 is absurd: at most 1',
  'scale-fraction.yml': '11:12 scale must be a whole number ≥ 0',
  'scale-negative.yml': '11:12 scale must be a whole number ≥ 0',
  'scale-text.yml': '11:12 scale must be a whole number ≥ 0',
  'ssh-host-option.yml': '5:10 invalid host "-oProxyCommand=touch " in the engine URL',
  'ssh-user-option.yml': '5:10 invalid ssh user name "-oProxyCommand=x" in',
  'tab-indent.yml': '10:1 tab character in indentation',
  'unknown-machine-key.yml': '5:5 unknown key `lables` in machines.m1',
  'unknown-service-key.yml': '11:5 unknown key `enviroment` in services.web',
  'unknown-top-key.yml': '8:1 unknown key `servics`',
  'worker-without-manager.yml': '5:11 a worker needs a manager: no machine has'
};

const STACK = /^\s+at .+\(.+:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;

describe('errors from the binary', () => {
  const files = readdirSync(broken).filter((f) => f.endsWith('.yml')).sort();

  test('the broken corpus is not empty', () => expect(files.length).toBeGreaterThanOrEqual(20));

  for (const f of files) {
    test(`${f}: exit 1 with file:line:col, a caret, no stack trace`, () => {
      for (const cmd of ['validate', 'plan']) {
        const r = cluster([cmd, '-f', join(broken, f)]);
        expect(r.code, r.stderr).toBe(1);
        const [at = '', ...words] = (EXPECT[f] ?? '').split(' ');
        expect(EXPECT[f], `add ${f} to EXPECT`).toBeDefined();
        expect(r.stderr).toContain(`${f}:${at}: error: ${words.join(' ')}`);
        expect(r.stderr).toMatch(/^\s+\d+ \| .*\n\s+\^/m);
        expect(r.stderr).not.toMatch(STACK);
        expect(r.stdout).toBe('');
      }
    });
  }

  test('a missing manifest names the file', () => {
    const r = cluster(['plan', '-f', '/nonexistent/cluster.yml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/nonexistent/cluster.yml');
    expect(r.stderr).not.toMatch(STACK);
  });

  test('no cluster.yml in a new folder: the hint\'s cp command gives a manifest that validates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-empty-'));
    const r = cluster(['plan'], { cwd: dir });
    expect(r.code).toBe(1);
    const cp = /cp (\S+) cluster\.yml/.exec(r.stderr);
    expect(cp, r.stderr).not.toBeNull();
    copyFileSync(cp![1]!, join(dir, 'cluster.yml'));
    expect(cluster(['validate'], { cwd: dir }).code).toBe(0);
  });

  test('an unknown option is an error with a pointer to --help', () => {
    const r = cluster(['plan', '--frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  test('an error a command itself raises is printed once, not swallowed (issue 17: env, completion)', () => {
    const env = cluster(['env']);
    expect([env.code, env.stderr]).toEqual([1, 'error: name a machine, or use --unset\n']);
    const completion = cluster(['completion', 'powershell']);
    expect([completion.code, completion.stderr]).toEqual([1, 'error: no completion for powershell: use bash, zsh or fish\n']);
    const unknown = cluster(['plan', '--frobnicate']);
    expect(unknown.stderr.match(/unknown option/g)).toHaveLength(1); // commander's own, not printed twice
  });

  test('`logs web -f cluster.yml` (every other command\'s -f) says -f is --follow in logs, before reading anything', () => {
    const r = cluster(['logs', 'web', '-f', 'copy.yml']);
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toBe('error: logs takes one service, and got copy.yml too\n  hint: -f is --follow in `cluster logs`, as in docker compose logs: give the manifest as --file copy.yml\n');
    const two = cluster(['logs', 'web', 'db']);
    expect([two.code, two.stderr]).toEqual([1, 'error: logs takes one service, and got db too\n  hint: one service per run: `cluster logs SERVICE` (run with --help for usage)\n']);
  });
});
