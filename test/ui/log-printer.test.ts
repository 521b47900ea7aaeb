// Prefixes as docker compose prints them: docker/compose cmd/formatter/logs.go (presenter.setPrefix:
// `%-{width}s | `, width = longest name + 1) and cmd/formatter/colors.go (rainbow: cyan, yellow, ...).
import { describe, expect, test } from 'vitest';
import { LogPrinter, replicaLogName } from '../../src/ui/log-printer.js';

function capture(colour: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, printer: new LogPrinter({ stdout: (t) => out.push(t), stderr: (t) => err.push(t) }, colour) };
}

describe('log prefixes (compose cmd/formatter/logs.go)', () => {
  test('names padded to the longest + 1, then " | "; stderr lines to stderr', () => {
    const { out, err, printer } = capture(false);
    for (const n of ['web-1', 'web-2', 'worker-10']) printer.register(n);
    printer.print('web-1', { stream: 'stdout', text: 'GET /' });
    printer.print('worker-10', { stream: 'stderr', text: 'oops' });
    expect(out).toEqual(['web-1      | GET /\n']);
    expect(err).toEqual(['worker-10  | oops\n']);
  });

  test('colour only on the prefix, one rainbow colour per name in order (cyan, yellow, ...)', () => {
    const { out, printer } = capture(true);
    printer.print('a-1', { stream: 'stdout', text: 'x' });
    printer.print('b-1', { stream: 'stdout', text: 'y' });
    printer.print('a-1', { stream: 'stdout', text: 'z' });
    expect(out).toEqual(['\u001b[36ma-1  | \u001b[0mx\n', '\u001b[33mb-1  | \u001b[0my\n', '\u001b[36ma-1  | \u001b[0mz\n']);
  });

  test('a replica is service-N as compose names containers without the project', () => {
    expect(replicaLogName('web', 3)).toBe('web-3');
    expect(replicaLogName('agent', null)).toBe('agent');
  });
});
