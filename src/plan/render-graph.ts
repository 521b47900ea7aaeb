// The action graph for people who would rather look than read: DOT (Graphviz) or Mermaid.
import { SYMBOL, effectOf } from './summary.js';
import type { Action, Plan } from './types.js';

function label(a: Action): string {
  return `${SYMBOL[effectOf(a)]} ${a.id}`;
}

export function renderDot(plan: Plan): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [`digraph ${q(`cluster ${plan.cluster}`)} {`, '  rankdir=LR;', '  node [shape=box, fontname="monospace"];'];
  for (const a of plan.actions) lines.push(`  ${q(a.id)} [label=${q(label(a))}];`);
  for (const a of plan.actions) for (const d of a.after) lines.push(`  ${q(d)} -> ${q(a.id)};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

export function renderMermaid(plan: Plan): string {
  const ids = new Map(plan.actions.map((a, i) => [a.id, `a${i}`]));
  const lines = ['flowchart LR'];
  for (const a of plan.actions) lines.push(`  ${ids.get(a.id)}["${label(a).replaceAll('"', '#quot;')}"]`);
  for (const a of plan.actions) for (const d of a.after) lines.push(`  ${ids.get(d)} --> ${ids.get(a.id)}`);
  return lines.join('\n') + '\n';
}
