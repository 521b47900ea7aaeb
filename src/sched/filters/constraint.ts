// Constraint: expressions over what a machine is (classic filter/constraint.go): `node` is its name or
// engine id; every other key is a label (nodes.ts puts storagedriver, kernelversion, operatingsystem,
// ostype among them, as classic does), and a label the machine lacks is the empty string, so
// `zone!=*` refuses it and `zone==/^$/` takes it. `node.role` (the swarm role after the plan, '' when
// none) is ours: classic had no roles.
import type { Expression } from '../../model/desired.js';
import { formatExpression, matches } from '../expr.js';
import type { Node } from '../node.js';
import type { Filter } from './types.js';

/** The values a constraint key has on a machine. */
export function constraintValues(node: Node, key: string): string[] {
  if (key === 'node') return node.id ? [node.id, node.name] : [node.name];
  if (key === 'node.role') return [node.role];
  return [node.labels[key] ?? ''];
}

export function activeExpressions(exprs: readonly Expression[], soft: boolean): Expression[] {
  return exprs.filter((e) => soft || !e.soft);
}

export const constraintFilter: Filter = {
  name: 'constraint',
  prepare(task, soft) {
    const exprs = activeExpressions(task.constraints, soft);
    if (exprs.length === 0) return undefined;
    return {
      refuse(node) {
        for (const e of exprs) {
          const values = constraintValues(node, e.key);
          if (matches(e, values)) continue;
          const shown = e.key === 'node' ? `node=${node.name}` : values[0] ? `${e.key}=${values[0]}` : `no ${e.key}`;
          return { reason: `constraint ${formatExpression(e)} not met (${shown})`, group: `constraint ${formatExpression(e)}` };
        }
        return undefined;
      },
    };
  },
};
