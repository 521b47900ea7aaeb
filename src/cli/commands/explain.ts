import { explainService, type ServiceExplanation } from '../../sched/explain-service.js';
import { jsonDocument } from '../../ui/json.js';
import { table } from '../../ui/status.js';
import { maskDeep, maskText } from '../../model/secrets.js';
import { loadDesired, openSession, type PlanChoices } from '../pipeline.js';

export async function explainCommand(service: string, opts: PlanChoices & { file: string; json?: boolean }): Promise<number> {
  const desired = loadDesired(opts.file);
  const swarmMode = desired.services.find((s) => s.name === service && s.swarm);
  if (swarmMode?.swarm) {
    // Nothing of ours to explain: the swarm's scheduler places these tasks.
    const { mode, constraints, spread } = swarmMode.swarm;
    const how = `service ${service} runs in swarm mode (${mode === 'global' ? 'one task per machine' : `${swarmMode.scale} replicas`}): the swarm places its tasks`;
    const rules = `constraints: ${constraints.join(', ') || 'none'}; spread over: ${spread.join(', ') || 'nothing'}`;
    process.stdout.write(maskText(opts.json ? jsonDocument({ service, mode: 'swarm', swarm: swarmMode.swarm, replicas: swarmMode.scale }) : `${how}\n${rules}\n(see \`docker service ps\` on a manager for where they run)\n`));
    return 0;
  }
  const session = await openSession(desired);
  try {
    // Observed containers carry their image and labels as the engine has them: masked before shown.
    const x = maskDeep(explainService(desired, session.observation.observed, service, opts));
    if (!x) throw new Error(`no service named ${service}; services: ${desired.services.map((s) => s.name).join(', ')}`);
    process.stdout.write(opts.json ? jsonDocument({ ...x }) : renderExplanation(x));
    return x.unschedulable ? 1 : 0;
  } finally {
    await session.close();
  }
}

function renderExplanation(x: ServiceExplanation): string {
  const out = [`service ${x.service}: strategy ${x.strategy} (${x.rule})`, `placement: ${x.expressions.length ? x.expressions.join(', ') : 'no constraints or affinities'}`];
  for (const n of x.notes ?? []) out.push(`note: ${n}`);
  out.push('');
  const rows = x.machines.map((m) => {
    const held = m.replicas.length ? m.replicas.map((r) => `#${r.replica}${r.fate === 'new' ? ' (new)' : r.fate === 'replaced' ? ' (replaced)' : ''}`).join(' ') : '-';
    const next = 'reason' in m.next ? `refused by ${m.next.filter}: ${m.next.reason}` : `fits: weight ${m.next.weight}, ${m.next.containers} containers${m.next.preferred ? '' : ' (only when no machine meets the soft expressions)'}`;
    return [m.machine, held, next];
  });
  out.push(table([['MACHINE', 'REPLICAS AFTER APPLY', 'ONE MORE REPLICA'], ...rows]));
  if (x.unschedulable) out.push('', `cannot place: ${x.unschedulable.summary}`);
  return out.join('\n') + '\n';
}
