// The plan's colours as Terraform's (+ green, - red, ~ yellow), on action lines only: a `  - ` bullet
// under Notes:/Warnings: is not a removal (it was painted red, seen at a terminal: plan --target).
import { expect, test } from 'vitest';
import { colourPlan, paint } from '../../src/ui/colour.js';

test('symbols are coloured in action sections; bullets under Notes:, Warnings: and blocked errors are not', () => {
  const plan = [
    'cluster "c"',
    '',
    '  # service web (removed)',
    '  -   web #1 c-web-1 on m1 (destroyed)',
    '  -/+ web #2 c-web-2 on m1 (image changed)',
    '  ~   machine m1: availability active → drain',
    '',
    'Notes:',
    '  - 2 drift corrections left undone',
    '',
    'Warnings:',
    '  - targeted plan (service.web): nothing else is pending',
    '',
    'Error: this plan cannot be applied:',
    '  - machine m1 is protected',
    '',
    'Plan: 1 to add, 1 to change, 2 to destroy.',
    '',
  ].join('\n');
  const lines = colourPlan(plan).split('\n');
  expect(lines[3]).toBe(`  ${paint('-', 'red')}   web #1 c-web-1 on m1 (destroyed)`);
  expect(lines[4]).toBe(`  ${paint('-', 'red')}/${paint('+', 'green')} web #2 c-web-2 on m1 (image changed)`);
  expect(lines[5]).toBe(`  ${paint('~', 'yellow')}   machine m1: availability active → drain`);
  for (const i of [8, 11, 14]) expect(lines[i]).toBe(plan.split('\n')[i]);
});
