// A machine's observed containers by column: for the passes that visit every container of a big
// cluster and need only names, states and owners (the scheduler's converged path, other checkouts),
// without an ObservedContainer each. A provider that holds its containers so (sim, state file format 2)
// attaches the columns to its EngineFacts and makes `containers` lazy (addLazyContainers): the objects are built on its
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

/**
 * What a lazy `containers` holds until it is read, the columns and how to build the objects, under a
 * key that is not enumerable: JSON, Object.keys, spreads and deep equality do not see it. A property
 * and not a WeakMap entry: a WeakMap of ten thousand facts (twice per observation: the provider's
 * and observe's) grows and rehashes, and costs more than the rest of the lazy property.
 */
const PENDING = Symbol('lazy containers');
type Pending = { columns: ContainerColumns; build: () => ObservedContainer[] } | undefined;
type WithPending = EngineFacts & { [PENDING]?: Pending };

/** The columns behind `facts.containers`, when its provider gave some and they still say the same. */
export function containerColumnsOf(facts: EngineFacts): ContainerColumns | undefined {
  return (facts as WithPending)[PENDING]?.columns;
}

/** What builds `facts.containers` on its first read, while it is not read yet: what reading it would give, without holding on to `facts`. */
export function containersBuilderOf(facts: EngineFacts): (() => ObservedContainer[]) | undefined {
  return (facts as WithPending)[PENDING]?.build;
}

// One getter and one setter for every lazy facts object, finding their object as `this`: V8 keeps
// objects whose accessor pairs are the same functions in one shared shape, while a pair of closures
// per object turns each one after the first into a slow dictionary (ten thousand of them per
// observation of a big cluster, twice: the provider's facts and observe's).
function buildContainers(this: WithPending): ObservedContainer[] {
  const containers = this[PENDING]!.build();
  this.containers = containers;
  return containers;
}

function setContainers(this: WithPending, containers: ObservedContainer[]): void {
  // Emptied rather than deleted: deleting a property turns the object into a dictionary.
  this[PENDING] = undefined;
  settle(this as EngineFacts, 'containers', containers);
}

const LAZY_CONTAINERS: PropertyDescriptor = { configurable: true, enumerable: true, get: buildContainers, set: setContainers };

/**
 * Gives `facts` a `containers` built by `build` on first read (then a plain array property), and
 * `columns` saying what they hold meanwhile. JSON and deep equality read `containers`, so they see
 * the objects. `facts` must not have the key yet: it is added here, in the place it takes among the
 * keys (the caller adds the later ones after), because an existing data property turned into an
 * accessor would make the object a dictionary too.
 */
export function addLazyContainers<F extends Omit<EngineFacts, 'containers'>>(facts: F, columns: ContainerColumns, build: () => ObservedContainer[]): F & EngineFacts {
  Object.defineProperty(facts, 'containers', LAZY_CONTAINERS);
  Object.defineProperty(facts, PENDING, { value: { columns, build } satisfies Pending, writable: true, configurable: true, enumerable: false });
  return facts as F & EngineFacts;
}
