// Networks: overlay on the swarm's leader, bridge on one machine.
import type { Executors } from './types.js';

export const networkExecutors = {
  'network.create': (ctx, a) => ctx.engine(a.machine).createNetwork({ name: a.network, driver: a.driver, labels: { ...a.labels, ...ctx.idLabel() } }),
  'network.remove': (ctx, a) => ctx.engine(a.machine).removeNetwork(a.network),
} satisfies Partial<Executors>;
