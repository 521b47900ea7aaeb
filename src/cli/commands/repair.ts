// `cluster repair --force-new-cluster`: a swarm that lost its quorum for good (managers gone, not just
// stopped) gets a leader again. On one reachable manager of the manifest it runs `docker swarm init
// --force-new-cluster` at the machine's current address (moby daemon/cluster/swarm.go Init with
// ForceNewCluster; swarmkit's raft then keeps this node as its only member: services, networks and
// secrets stay, the other managers' nodes stay listed and come back as members once they run), then
// the usual plan, under the same lock, starts, re-joins, promotes and cleans up the rest.
//
// kill -9 half-way: the forced init happened or it did not; a second repair finds the quorum back and
// refuses (run `cluster apply`), or forces again. Two at once: the apply lock. Ctrl-C: as apply (the
// init is one engine call; nothing starts after the stop).
import { UserError } from '../../model/diagnostic.js';
import type { Desired } from '../../model/desired.js';
import type { Observed } from '../../model/observed.js';
import { swarmHealth, type SwarmHealth } from '../../plan/swarm-health.js';
import { applySession } from '../../reconcile/session.js';
import { applyReporter } from '../../ui/apply-report.js';
import { confirm, isInteractive } from '../../ui/terminal.js';
import { openUnlessStopped, type Interrupts } from '../interrupts.js';
import { loadDesired, observeAndPlan, openSession } from '../pipeline.js';
import { applyExitCode } from './apply.js';

export interface RepairOptions {
  file: string;
  forceNewCluster?: boolean;
  /** The manager to force the new cluster on; default: the first manager of the manifest that answers. */
  on?: string;
  autoApprove?: boolean;
  parallelism?: number;
  lockTimeout?: number;
  gracePeriod?: number;
}

export async function repairCommand(opts: RepairOptions, interrupts: Interrupts): Promise<number> {
  if (!opts.forceNewCluster) {
    throw UserError.plain('repair needs --force-new-cluster (the only repair there is: it makes one manager the swarm’s only manager)', 'see what is wrong first with `cluster plan` or `cluster status`');
  }
  const desired = loadDesired(opts.file);
  if (opts.on && !desired.machines.some((m) => m.name === opts.on && m.role === 'manager')) {
    throw UserError.plain(`--on ${opts.on}: not a manager in the manifest`, `name one of: ${managerNames(desired) || '(the manifest has no manager)'}`);
  }
  // Before the lock and before any engine is asked, as apply: a run that could never be approved takes nothing.
  if (!opts.autoApprove && !isInteractive()) {
    throw UserError.plain('repair needs --auto-approve when not run at a terminal (CI, pipes)', 'check `cluster plan` first; it says when the swarm lost its quorum');
  }
  const session = await openUnlessStopped(interrupts, openSession(desired, { command: 'repair', timeoutMs: opts.lockTimeout ?? 0, signal: interrupts.signal }));
  if (!session) return 1;
  try {
    const { observed, records } = session.observation;
    const health = swarmHealth(desired, observed);
    if (!health) {
      throw UserError.plain('no manager of the manifest answers as a swarm manager: there is no swarm to repair', 'start the managers (`cluster apply` starts stopped machines), then see `cluster plan`');
    }
    if (health.hasQuorum) {
      throw UserError.plain(
        `the swarm has a quorum (leader ${health.leader}, ${health.managers.reachable} of ${health.managers.raft} managers reachable): nothing to repair`,
        'forcing a new cluster now would only drop managers; `cluster apply` converges the rest',
      );
    }
    const on = forcedOn(desired, observed, health, opts.on);
    const address = records.get(on)?.address;
    if (!address) throw UserError.plain(`${on} has no address: it cannot advertise one to the swarm`, 'see `cluster status`');
    process.stdout.write(
      `${health.lostQuorum}\n\nRepair: force a new swarm cluster on ${on} (advertised at ${address}). The swarm keeps its services, networks and secrets; ` +
        `${on} becomes its only manager; then the plan starts, re-joins and promotes the other machines and removes the entries they left behind.\n`,
    );
    if (!opts.autoApprove && !(await confirm(`\nForce a new swarm cluster on ${on}?`, interrupts.signal))) return 1;
    if (interrupts.signal.aborted) return 1;
    const driver = session.drivers.get(observed.machines.find((m) => m.name === on)!.driver)!;
    await driver.engine(records.get(on)!).swarmInit(address, { forceNewCluster: true });
    process.stderr.write(`${on}: forced a new swarm cluster; it leads the swarm now.\n`);
    if (interrupts.signal.aborted) return 1;

    // The rest is an ordinary apply of the manifest, under the same lock, from the swarm as it is now.
    const { observation, plan } = await observeAndPlan(desired, desired, session.drivers, { identity: observed.identity });
    const reporter = await applyReporter({ verb: 'apply', desired, json: false, live: isInteractive(process.stderr) });
    const outcome = await applySession(
      { ...session, observation },
      {
        desired,
        plan,
        reporter,
        signal: interrupts.signal,
        parallelism: opts.parallelism,
        graceMs: opts.gracePeriod,
        observeAfter: true,
        approve: opts.autoApprove ? undefined : () => confirm('\nDo you want to perform these actions?', interrupts.signal),
        // Stopped managers are started first; their swarm is planned once they are up, in this same run.
        replan: () => observeAndPlan(desired, desired, session.drivers, { identity: observed.identity }),
      },
    );
    return applyExitCode(outcome);
  } finally {
    await session.close();
  }
}

/** `--on`, else the first manager of the manifest whose engine answers as a manager of the swarm. */
function forcedOn(desired: Desired, observed: Observed, health: SwarmHealth, on: string | undefined): string {
  const answering = (name: string) => {
    const swarm = observed.machines.find((m) => m.name === name)?.engine?.swarm;
    return swarm?.state === 'active' && swarm.role === 'manager';
  };
  const candidates = desired.machines.filter((m) => m.role === 'manager' && answering(m.name)).map((m) => m.name);
  if (on && !candidates.includes(on)) {
    throw UserError.plain(`--on ${on}: it does not answer as a manager of the swarm (${health.lostQuorum ? 'it is stopped, unreachable or not a manager' : 'see `cluster status`'})`, `managers that answer: ${candidates.join(', ') || '(none)'}`);
  }
  const chosen = on ?? candidates[0];
  if (!chosen) throw UserError.plain('no manager of the manifest answers: none can lead a new cluster', 'start one (`cluster apply --target machine.NAME`), then repair again');
  return chosen;
}

function managerNames(desired: Desired): string {
  return desired.machines.filter((m) => m.role === 'manager').map((m) => m.name).join(', ');
}
