// Two `cluster` runs started at the same instant (spawned back to back, not one after the other),
// and how each ended: what a test of the apply lock needs to judge who acted.
import { background } from './background.js';

export interface Raced {
  pid: number;
  code: number | null;
  output: string;
  /** It executed a plan with changes ("Apply complete: N actions" with N > 0). */
  acted: boolean;
}

export async function race(args: string[][], opts: { cwd: string; env?: Record<string, string | undefined> }): Promise<Raced[]> {
  const runs = args.map((a) => background(a, opts));
  const codes = await Promise.all(runs.map((r) => r.exited()));
  return runs.map((r, i) => ({ pid: r.child.pid!, code: codes[i]!, output: r.output(), acted: /Apply complete: [1-9]\d* action/.test(r.output()) }));
}

/** Exactly one acted; the other was refused naming the winner, or (waiting, or simply later) found nothing to do. */
export function judge(runs: Raced[]): { winner: Raced; loser: Raced; how: 'refused' | 'waited' | 'later' } {
  const acted = runs.filter((r) => r.acted);
  if (acted.length !== 1) throw new Error(`expected exactly one run to act, ${acted.length} did:\n${runs.map((r) => `--- pid ${r.pid} exit ${r.code}\n${r.output}`).join('\n')}`);
  const winner = acted[0]!;
  const loser = runs.find((r) => r !== winner)!;
  const fail = (why: string) => new Error(`${why}:\n--- winner pid ${winner.pid} exit ${winner.code}\n${winner.output}\n--- loser pid ${loser.pid} exit ${loser.code}\n${loser.output}`);
  if (winner.code !== 0) throw fail('the run that acted did not succeed');
  if (loser.code === 1 && new RegExp(`the cluster is locked by .* pid ${winner.pid} \\((apply|destroy)\\) since `).test(loser.output)) return { winner, loser, how: 'refused' };
  if (loser.code === 0 && /No changes/.test(loser.output)) return { winner, loser, how: new RegExp(`waiting for the lock held by .* pid ${winner.pid} `).test(loser.output) ? 'waited' : 'later' };
  throw fail('the other run neither was refused naming the winner nor found nothing to do');
}
