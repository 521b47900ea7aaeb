// Dependency: links, volumes_from, network_mode service:/container: (and, without a swarm, depends_on
// across a shared network) pin a replica to machines already holding what it depends on. Services
// are placed in dependency order, so the answer for a machine does not change while one service is
// being placed.
import type { Node } from '../node.js';
import type { Task } from '../task.js';
import type { Filter } from './types.js';

interface Needs {
  services: string[];
  containers: string[];
}

function needsOf(task: Task): Needs {
  const spec = task.service.spec;
  const services = new Set<string>();
  const containers = new Set<string>();
  for (const l of spec.links) services.add(l.split(':')[0]!);
  for (const v of spec.volumesFrom) {
    if (v.startsWith('container:')) containers.add(v.split(':')[1]!);
    else services.add(v.split(':')[0]!);
  }
  // Network peers without a swarm: the network does not reach past the machine.
  for (const t of task.service.together ?? []) services.add(t);
  const mode = spec.networkMode;
  if (mode?.startsWith('service:')) services.add(mode.slice('service:'.length));
  if (mode?.startsWith('container:')) containers.add(mode.slice('container:'.length));
  return { services: [...services].sort(), containers: [...containers].sort() };
}

/**
 * A container reference as classic resolves it (cluster/container.go Containers.Get): the id, its
 * 12-character short form, the name, or the name after `<machine>/` or `<engine id>/`.
 */
function holdsContainer(node: Node, ref: string): boolean {
  for (const prefix of [`${node.name}/`, node.id ? `${node.id}/` : undefined]) {
    if (prefix && ref.startsWith(prefix) && node.containerNames.includes(ref.slice(prefix.length))) return true;
  }
  return node.containerNames.some((n) => n === ref || (ref.length === 12 && n.length === 64 && n.startsWith(ref)));
}

export const dependencyFilter: Filter = {
  name: 'dependency',
  prepare(task) {
    const needs = needsOf(task);
    if (needs.services.length === 0 && needs.containers.length === 0) return undefined;
    return {
      refuse(node) {
        for (const s of needs.services) {
          if (!node.services.get(s)) return { reason: `no replica of ${s} here (dependency)`, group: `dependency ${s}` };
        }
        for (const c of needs.containers) {
          if (!holdsContainer(node, c)) return { reason: `no container ${c} here (dependency)`, group: `dependency ${c}` };
        }
        return undefined;
      },
    };
  },
};
