import { closest, distance } from 'fastest-levenshtein';

/** "did you mean `labels`?" when a known word is close enough to what was typed. */
export function didYouMean(typed: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const best = closest(typed, known as string[]);
  const limit = Math.max(2, Math.floor(best.length / 3));
  return distance(typed, best) <= limit ? `did you mean \`${best}\`?` : undefined;
}
