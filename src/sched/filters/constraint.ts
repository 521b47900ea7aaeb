// Constraint: expressions over what a machine is (classic filter/constraint.go): `node` is its name or
// engine id; every other key is a label (nodes.ts puts storagedriver, kernelversion, operatingsystem,
// ostype among them, as classic does), and a label the machine lacks is the empty string, so
// `zone!=*` refuses it and `zone==/^$/` takes it. `node.role` (the swarm role after the plan, '' when
// none) is ours: classic had no roles.
import type { Expression } from '../../model/desired.js';
import { formatExpression, matches, matchesValue } from '../expr.js';
import type { Node } from '../node.js';
import type { Filter, Refusal } from './types.js';
import type { Task } from '../task.js';

/** What a constraint reads of a machine: the converged path asks it of nodes without their bookkeeping (nodes.ts stayNodes). */
export type ConstraintNode = Pick<Node, 'id' | 'name' | 'labels' | 'role'>;

/** The values a constraint key has on a machine. */
export function constraintValues(node: ConstraintNode, key: string): string[] {
  if (key === 'node') return node.id ? [node.id, node.name] : [node.name];
  return [valueOf(node, key)];
}

/** The one value of any key but `node`. */
function valueOf(node: ConstraintNode, key: string): string {
  // Own keys only: a label key like `constructor` or `__proto__` is a key like any other.
  return key === 'node.role' ? node.role : Object.hasOwn(node.labels, key) ? node.labels[key]! : '';
}

export function activeExpressions(exprs: readonly Expression[], soft: boolean): Expression[] {
  return exprs.filter((e) => soft || !e.soft);
}

export const constraintFilter: Filter = {
  name: 'constraint',
  prepare: (task, soft) => constraintCheck(task, soft),
};

/** The hard constraints of a service, as the filter checks them, for nodes with only what a constraint reads (the converged path). */
export function hardConstraints(task: Task): { refuse(node: ConstraintNode): Refusal | undefined } | undefined {
  return constraintCheck(task, false);
}

function constraintCheck(task: Task, soft: boolean): { refuse(node: ConstraintNode): Refusal | undefined } | undefined {
  const exprs = activeExpressions(task.constraints, soft);
  if (exprs.length === 0) return undefined;
  return {
    refuse(node: ConstraintNode) {
      for (const e of exprs) {
        if (e.key === 'node' ? matches(e, constraintValues(node, e.key)) : matchesValue(e, valueOf(node, e.key))) continue;
        const value = valueOf(node, e.key);
        const shown = e.key === 'node' ? `node=${node.name}` : value ? `${e.key}=${value}` : `no ${e.key}`;
        return { reason: `constraint ${formatExpression(e)} not met (${shown})`, group: `constraint ${formatExpression(e)}` };
      }
      return undefined;
    },
  };
}
