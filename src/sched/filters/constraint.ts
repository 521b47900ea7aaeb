// Constraint: expressions over what a machine is: its engine labels, `node` (name or engine id),
// `node.role`, and the engine's storagedriver, executiondriver, kernelversion, operatingsystem.
import type { Expression } from '../../model/desired.js';
import { formatExpression, matches } from '../expr.js';
import type { Node } from '../node.js';
import type { Filter } from './types.js';

const FACT_KEYS = new Set(['storagedriver', 'executiondriver', 'kernelversion', 'operatingsystem']);

/** The values a constraint key has on a machine (none: the key is absent, which only `!=` accepts). */
export function constraintValues(node: Node, key: string): string[] {
  if (key === 'node') return node.id ? [node.name, node.id] : [node.name];
  if (key === 'node.role') return node.role ? [node.role] : [];
  if (FACT_KEYS.has(key)) {
    const v = node.facts[key];
    return v ? [v] : [];
  }
  const v = node.labels[key];
  return v === undefined ? [] : [v];
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
          const shown = values.length ? `${e.key}=${values[0]}` : `no ${e.key}`;
          return { reason: `constraint ${formatExpression(e)} not met (${shown})`, group: `constraint ${formatExpression(e)}` };
        }
        return undefined;
      },
    };
  },
};
