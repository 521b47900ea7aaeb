// The registry of executors: one line per group of action kinds. Adding a kind is adding its executor
// to a group; the type below fails to compile until every kind has exactly one.
import { containerExecutors } from './container.js';
import { imageExecutors } from './image.js';
import { machineExecutors } from './machine.js';
import { machineDay2Executors } from './machine-day2.js';
import { networkExecutors } from './network.js';
import { serviceExecutors } from './service.js';
import { swarmExecutors } from './swarm.js';
import type { Executors } from './types.js';

export const executors: Executors = {
  ...machineExecutors,
  ...machineDay2Executors,
  ...swarmExecutors,
  ...imageExecutors,
  ...networkExecutors,
  ...serviceExecutors,
  ...containerExecutors,
};

export { ActionContext } from './context.js';
export { replicaLabels } from './container.js';
export type { Executor, Executors } from './types.js';
