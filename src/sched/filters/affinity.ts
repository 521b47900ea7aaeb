// Affinity: expressions over what a machine holds (classic filter/affinity.go): `container` (names and
// ids), `image` (ids, repo:tag, repo), any other key = that label of each of its containers, '' for a
// container without it (so `tier!=*` refuses a machine running anything). A machine with no
// containers offers no value at all: `==` fails there and `!=` holds. Placing a replica only adds,
// so after a placement only the new container can change the answer.
import type { Expression } from '../../model/desired.js';
import { formatExpression, matches } from '../expr.js';
import { labelOf, type Node, type Resident } from '../node.js';
import { activeExpressions } from './constraint.js';
import type { Filter, Refusal } from './types.js';

function heldValues(node: Node, key: string): readonly string[] {
  if (key === 'container') return node.containerNames;
  if (key === 'image') return [...node.images];
  return node.containerLabels.get(key) ?? [];
}

function residentValues(c: Resident, key: string): string[] {
  if (key === 'container') return c.id ? [c.name, c.id] : [c.name];
  if (key === 'image') return [...c.images];
  return [labelOf(c, key) ?? ''];
}

function refusal(e: Expression): Refusal {
  return { reason: `affinity ${formatExpression(e)} not met`, group: `affinity ${formatExpression(e)}` };
}

export const affinityFilter: Filter = {
  name: 'affinity',
  prepare(task, soft) {
    const exprs = activeExpressions(task.affinities, soft);
    if (exprs.length === 0) return undefined;
    const negative = exprs.filter((e) => e.op === '!=');
    return {
      refuse(node) {
        for (const e of exprs) if (!matches(e, heldValues(node, e.key))) return refusal(e);
        return undefined;
      },
      // `==` held before and still holds; `!=` breaks only if the new container matches.
      recheck(_node, placed) {
        for (const e of negative) if (!matches(e, residentValues(placed, e.key))) return refusal(e);
        return undefined;
      },
    };
  },
};
