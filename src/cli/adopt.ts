// `--adopt [id]`: which other checkout of this cluster this folder becomes. Bare `--adopt` takes the
// only one there is; with several, the id (or a prefix of it) chooses, and a bare `--adopt` lists them.
import { UserError } from '../model/diagnostic.js';
import type { Observed } from '../model/observed.js';
import { otherCheckouts, otherIds, type OtherCheckout } from '../model/ownership.js';
import { isIdentity } from '../reconcile/identity-file.js';

/** The id `--adopt` (true = bare) means here, given what is observed; a UserError when it means none or several. */
export function chooseAdoption(observed: Observed, wanted: string | true): string {
  const others = otherCheckouts(observed, observed.identity);
  const ids = otherIds(others).filter(isIdentity);
  if (typeof wanted === 'string' && wanted === observed.identity) return wanted; // already this checkout's
  const matching = typeof wanted === 'string' ? ids.filter((id) => id.startsWith(wanted)) : ids;
  if (matching.length === 1) return matching[0]!;
  const listed = ids.map((id) => `    ${id}: ${describe(others.filter((o) => o.id === id))}`).join('\n');
  if (ids.length === 0) {
    throw UserError.plain(`--adopt: no object of cluster "${observed.cluster}" carries another checkout's identity; there is nothing to adopt`, 'run without --adopt');
  }
  if (matching.length === 0) throw UserError.plain(`--adopt ${wanted}: no other checkout of cluster "${observed.cluster}" has that id; the ones seen:\n${listed}`, 'give one of these ids (or a prefix of it)');
  throw UserError.plain(
    `--adopt${typeof wanted === 'string' ? ` ${wanted}` : ''}: ${matching.length} other checkouts of cluster "${observed.cluster}" are seen; say which one this folder takes over:\n${listed}`,
    'run again with --adopt ID',
  );
}

function describe(of: OtherCheckout[]): string {
  return of.map((o) => `${o.containers} containers, ${o.networks} networks, ${o.services} swarm services on ${o.machine}`).join('; ');
}
