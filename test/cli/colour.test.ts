// Colour at a real terminal (a pty from util-linux's `script`), as Terraform colours its plan: + green,
// - red, ~ yellow. NO_COLOR (no-color.org: set and not empty) and --no-color change colour only: a
// destroy at a terminal still asks, it does not turn into "needs --auto-approve" (issue 17 point 1).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { BIN, cluster } from '../support/cli.js';

const ESC = '\u001b[';
const example = readFileSync(join(import.meta.dirname, '../../cluster.example.yml'), 'utf8').replaceAll('driver: docker', 'driver: sim');

/** Runs the CLI with its stdin, stdout and stderr on a pseudo-terminal, `input` typed into it. */
function atTerminal(dir: string, args: string[], env: Record<string, string> = {}, input = ''): string {
  const base: Record<string, string | undefined> = { ...process.env, TERM: 'xterm', ...env };
  delete base.CI; // vitest sets it in CI: a person at a terminal has none
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, env: base as NodeJS.ProcessEnv, input, encoding: 'utf8', timeout: 60_000 });
  return r.stdout;
}

describe('colour at a terminal', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cluster-colour-'));
    writeFileSync(join(dir, 'cluster.yml'), example);
  });

  test('the plan is coloured at a terminal, by symbol', () => {
    const out = atTerminal(dir, ['plan']);
    expect(out).toContain(`${ESC}32m+${ESC}0m   machine manager`);
    expect(out).not.toContain(`${ESC}31m`); // nothing to destroy
  });

  test('NO_COLOR=1 and --no-color take the colour away; an empty NO_COLOR does not', () => {
    expect(atTerminal(dir, ['plan'], { NO_COLOR: '1' })).not.toContain(ESC);
    expect(atTerminal(dir, ['plan', '--no-color'])).not.toContain(ESC);
    expect(atTerminal(dir, ['plan'], { NO_COLOR: '' })).toContain(`${ESC}32m+`);
  });

  test('piped, the plan has no colour', () => {
    expect(cluster(['plan'], { cwd: dir }).stdout).not.toContain(ESC);
  });

  test('NO_COLOR=1 destroy at a terminal still asks (and a "no" cancels), with no colour', () => {
    expect(cluster(['apply', '--auto-approve'], { cwd: dir }).code).toBe(0);
    const out = atTerminal(dir, ['destroy'], { NO_COLOR: '1' }, 'no\n');
    expect(out).toMatch(/Only 'yes' will be accepted/);
    expect(out).not.toMatch(/needs --auto-approve/);
    expect(out).toMatch(/cancelled/i);
    expect(out).not.toContain(`${ESC}3`);
    const machines = (JSON.parse(cluster(['status', '--json'], { cwd: dir }).stdout) as { machines: { state: string }[] }).machines;
    expect(machines.map((m) => m.state)).toEqual(['running', 'running', 'running']); // nothing destroyed
  });
});
