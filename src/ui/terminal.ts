import { createInterface } from 'node:readline/promises';

/**
 * Prompts, spinners and cursor movement only for a person at a terminal: not when stdout is piped,
 * `CI` is set, or TERM=dumb. Colour is decided apart (src/ui/colour.ts): NO_COLOR changes only colour.
 */
export function isInteractive(stream: NodeJS.WriteStream = process.stdout): boolean {
  const env = process.env;
  return !!stream.isTTY && !!process.stdin.isTTY && !env.CI && env.TERM !== 'dumb';
}

/** Terraform's confirmation: only "yes" proceeds; a stop (Ctrl-C) while asking is a no. */
export async function confirm(question: string, signal?: AbortSignal): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // At a terminal readline swallows Ctrl-C as a key: hand it to the process's one signal owner.
  rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
  try {
    const answer = await rl.question(`${question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `, { signal }).catch((err: unknown) => {
      if (signal?.aborted) return '';
      throw err;
    });
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
