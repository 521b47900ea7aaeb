// Seeing the running app: `cluster ps`, `cluster logs`, `cluster exec` (docker compose's ps, logs,
// exec across the cluster's machines).
import { spawnSync } from 'node:child_process';
import type { Engine, LogOptions } from '../../engine/types.js';
import type { ObservedMachine } from '../../model/observed.js';
import { swarmServiceName } from '../../plan/swarm-services.js';
import { traitsOf } from '../../providers/index.js';
import { colourOn } from '../../ui/colour.js';
import { jsonDocument } from '../../ui/json.js';
import { LogPrinter, replicaLogName } from '../../ui/log-printer.js';
import { psReport, renderPsText, type PsRow } from '../../ui/ps.js';
import { loadDesired, openSession, type Session } from '../pipeline.js';

async function withSession<T>(file: string, fn: (session: Session) => Promise<T>): Promise<T> {
  const session = await openSession(loadDesired(file));
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

export async function psCommand(opts: { file: string; json?: boolean; all?: boolean }): Promise<number> {
  return withSession(opts.file, async (session) => {
    const report = psReport(session.desired, session.observation.observed, { all: opts.all });
    process.stdout.write(opts.json ? jsonDocument({ ...report }) : renderPsText(report, { all: opts.all }));
    return 0;
  });
}

function engineOf(session: Session, machine: string): Engine {
  const record = session.observation.records.get(machine);
  if (!record) throw new Error(`machine ${machine} is not known to its driver`);
  return session.drivers.get(record.driver)!.engine(record);
}

function serviceNamed(session: Session, name: string): { name: string; mode: 'containers' | 'swarm' } {
  const s = session.desired.services.find((x) => x.name === name);
  if (s) return { name, mode: s.mode === 'swarm' ? 'swarm' : 'containers' };
  const names = session.desired.services.map((x) => x.name);
  throw new Error(`no service named ${name} in ${session.desired.file}; services: ${names.join(', ') || '(none)'}`);
}

function simulatedRefusal(session: Session, what: string, machine?: string): void {
  const sim = session.observation.observed.machines.find((m) => traitsOf(m.driver).simulated && (machine === undefined || m.name === machine));
  if (sim) throw new Error(`machine ${sim.name} is simulated (${sim.driver} driver): its containers run no processes, so there is ${what}`);
}

export interface LogsOptions {
  file: string;
  follow?: boolean;
  tail?: number;
  since?: number;
  timestamps?: boolean;
}

/**
 * Every replica's output, merged with compose's prefixes. With --follow it runs until `signal` aborts
 * (Ctrl-C). It follows the replicas there are when it starts (a container-mode replica created later
 * is not picked up: run it again); a swarm service's logs come from its manager and so include tasks
 * that start later.
 */
export async function logsCommand(service: string, opts: LogsOptions, signal: AbortSignal): Promise<number> {
  return withSession(opts.file, async (session) => {
    const wanted = serviceNamed(session, service);
    const printer = new LogPrinter({ stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }, colourOn(process.stdout));
    const logOpts: LogOptions = { follow: !!opts.follow, timestamps: !!opts.timestamps, signal, ...(opts.tail !== undefined ? { tail: opts.tail } : {}), ...(opts.since !== undefined ? { since: opts.since } : {}) };
    if (wanted.mode === 'swarm') {
      const leader = swarmManagerWith(session.observation.observed.machines, swarmServiceName(session.desired.name, service));
      if (!leader) throw new Error(`swarm service ${swarmServiceName(session.desired.name, service)} is not running on any manager that answered (run \`cluster apply\`, or see \`cluster status\`)`);
      const engine = engineOf(session, leader.machine);
      if (!engine.serviceLogs) return simulatedRefusal(session, 'no output to show', leader.machine), 1;
      await engine.serviceLogs(leader.id, logOpts, (line) => printer.print(replicaLogName(service, line.slot), line));
      return 0;
    }
    const report = psReport(session.desired, session.observation.observed, { all: true });
    // Said, not skipped in silence: a machine that did not answer holds replicas whose output is missing.
    for (const u of report.unseen) process.stderr.write(`warning: machine ${u.machine} did not answer (${u.problem}): the logs of replicas there are not shown\n`);
    const rows = report.containers.filter((c) => c.service === service);
    if (rows.length === 0) throw new Error(`service ${service} has no containers yet (run \`cluster apply\`)`);
    for (const r of rows) printer.register(replicaLogName(service, r.replica));
    await Promise.all(
      rows.map(async (r) => {
        const engine = engineOf(session, r.machine);
        if (!engine.containerLogs) return simulatedRefusal(session, 'no output to show', r.machine);
        await engine.containerLogs(r.id, logOpts, (line) => printer.print(replicaLogName(service, r.replica), line));
      }),
    );
    return 0;
  });
}

function swarmManagerWith(machines: ObservedMachine[], name: string): { machine: string; id: string } | undefined {
  for (const m of machines) {
    const s = m.engine?.swarmServices?.find((x) => x.name === name);
    if (s) return { machine: m.name, id: s.id };
  }
  return undefined;
}

/** `web` or `web#2`: the service and its replica (1 when not given, as docker compose exec --index). */
export function parseReplicaRef(ref: string): { service: string; replica: number } | undefined {
  const m = /^([^#\s]+)(?:#([1-9]\d*))?$/.exec(ref);
  return m ? { service: m[1]!, replica: m[2] ? Number(m[2]) : 1 } : undefined;
}

/**
 * `docker exec` in a replica's container, on its machine's engine, with the docker CLI (it owns the
 * terminal: raw mode, resize, the exit code). As docker compose exec: always interactive (-i), a TTY
 * when stdin is a terminal unless -T.
 */
export async function execCommand(ref: string, command: string[], opts: { file: string; tty?: boolean; user?: string; workdir?: string; env?: string[] }): Promise<number> {
  const target = parseReplicaRef(ref);
  if (!target) throw new Error(`${ref}: write SERVICE or SERVICE#N (N = the replica, from 1)`);
  if (command.length === 0) throw new Error('name the command to run, e.g. cluster exec web -- sh');
  const run = await withSession(opts.file, async (session) => {
    serviceNamed(session, target.service);
    const rows = psReport(session.desired, session.observation.observed, { all: true }).containers.filter((c) => c.service === target.service);
    const row: PsRow | undefined = rows.find((c) => c.replica === target.replica && c.state === 'running') ?? rows.find((c) => c.replica === target.replica);
    if (!row) throw new Error(`${target.service} has no replica ${target.replica}${rows.length ? `; replicas: ${[...new Set(rows.map((c) => c.replica ?? '-'))].join(', ')}` : ' (run `cluster apply`)'}`);
    if (row.state !== 'running') throw new Error(`${row.name} on ${row.machine} is ${row.state}, not running`);
    const machine = session.observation.observed.machines.find((m) => m.name === row.machine)!;
    if (traitsOf(machine.driver).simulated) simulatedRefusal(session, 'nothing to run a command in', machine.name);
    const url = machine.engine?.url;
    if (!url) throw new Error(`machine ${row.machine} has no reachable engine`);
    const tls = session.desired.machines.find((x) => x.name === row.machine)?.options.tls as { cert?: string } | undefined;
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: url.replace(/^https?:/, 'tcp:') };
    if (tls?.cert) Object.assign(env, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tls.cert.replace(/\/[^/]*$/, '') });
    else delete env.DOCKER_TLS_VERIFY;
    return { env, id: row.id };
  });
  const tty = opts.tty !== false && !!process.stdin.isTTY;
  const flags = [tty ? '-it' : '-i', ...(opts.user ? ['--user', opts.user] : []), ...(opts.workdir ? ['--workdir', opts.workdir] : []), ...(opts.env ?? []).flatMap((e) => ['--env', e])];
  const r = spawnSync('docker', ['exec', ...flags, '--', run.id, ...command], { stdio: 'inherit', env: run.env });
  if (r.error) throw new Error(`docker: ${r.error.message} (exec runs the docker CLI: install it)`);
  // Killed by a signal: 128 + its number, as shells report it.
  return r.status ?? 128 + (r.signal === 'SIGINT' ? 2 : r.signal === 'SIGTERM' ? 15 : 9);
}
