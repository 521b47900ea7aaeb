// `cluster apply | head -1`: the reader may go away while the run works (it stops as on SIGTERM) or
// after the run has done all it planned (only the report is lost). Both exit 141 as SIGPIPE does; what
// is said on stderr must tell the two apart: "stopping" after a finished run misled (issue 17's walk).
import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { watchOutputStreams } from '../../src/cli/broken-pipe.js';
import { interruptible } from '../../src/cli/interrupts.js';

function brokenPipe(): () => void {
  const out = new PassThrough() as unknown as NodeJS.WriteStream;
  watchOutputStreams([out]);
  return () => out.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
}

async function runWith(command: (breakIt: () => void, signal: AbortSignal) => Promise<number>) {
  const said: string[] = [];
  const breakIt = brokenPipe();
  const code = await interruptible(({ signal }) => command(breakIt, signal), () => 1, { say: (l) => said.push(l), exit: () => undefined });
  return { code, said: said.join('\n') };
}

test('closed after everything planned was done: exit 141, and it says the run had finished, not that it stops', async () => {
  const r = await runWith(async (breakIt) => {
    breakIt(); // the final report's write meets the closed pipe
    return 0; // the walk was complete
  });
  expect(r.code).toBe(141);
  expect(r.said).toContain('after the run had done everything it planned');
  expect(r.said).not.toMatch(/stopping|stopped early/);
});

test('closed mid-run: the run is aborted (nothing new starts), exit 141, and it says it stopped early', async () => {
  const r = await runWith(async (breakIt, signal) => {
    breakIt();
    expect(signal.aborted).toBe(true); // the session sees the abort at once
    return 1; // what the interrupted walk reports
  });
  expect(r.code).toBe(141);
  expect(r.said).toContain('the run stopped early');
});
