// A machine's observed containers by column: for the passes that visit every container of a big
// cluster and need only names, states and owners (the scheduler's converged path, other checkouts),
// without an ObservedContainer each. A provider that holds its containers so (sim, state file format 2)
// attaches the columns to its EngineFacts and makes `containers` lazy: the objects are built on its
// first read, so whoever reads them sees exactly what they always did. Observe keeps the columns only
// when they hold what `containers` will hold once normalized (nothing left out); their order is the
// engine's, not `containers`' name order: their readers count and match, and never depend on order.
import type { ContainerState, EngineFacts, ObservedContainer } from './observed.js';
import { settle } from './settle.js';

/** What the containers of one owner template share: their owner but the replica number. */
export type OwnerBase = Omit<NonNullable<ObservedContainer['owner']>, 'replica'>;

export interface ContainerColumns {
  name: readonly string[];
  state: readonly ContainerState[];
  /** Container k's owner is `{ ...owners[owner[k]], replica: replica[k] }`: none when that base is undefined or the replica 0. */
  owner: ArrayLike<number>;
  owners: readonly (OwnerBase | undefined)[];
  replica: ArrayLike<number>;
}

const attached = new WeakMap<EngineFacts, ContainerColumns>();

/** The columns behind `facts.containers`, when its provider gave some and they still say the same. */
export function containerColumnsOf(facts: EngineFacts): ContainerColumns | undefined {
  return attached.get(facts);
}

/**
 * `facts` with `containers` built by `build` on first read (then a plain array property), and
 * `columns` saying what they hold meanwhile. JSON and deep equality read `containers`, so they see
 * the objects.
 */
export function withLazyContainers<F extends Omit<EngineFacts, 'containers'>>(facts: F, columns: ContainerColumns, build: () => ObservedContainer[]): F & EngineFacts {
  const lazy = facts as F & EngineFacts;
  Object.defineProperty(lazy, 'containers', {
    configurable: true,
    enumerable: true,
    get: () => {
      const containers = build();
      lazy.containers = containers;
      return containers;
    },
    set: (containers: ObservedContainer[]) => {
      attached.delete(lazy);
      settle(lazy as EngineFacts, 'containers', containers);
    },
  });
  attached.set(lazy, columns);
  return lazy;
}
