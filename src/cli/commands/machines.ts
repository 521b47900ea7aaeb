// docker-machine's everyday verbs on named machines: ls, active, ip, env, inspect, ssh, scp.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { DriverName } from '../../model/desired.js';
import { jsonDocument } from '../../ui/json.js';
import { statusReport, type StatusReport } from '../../ui/status.js';
import { loadDesired, openSession, type Session } from '../pipeline.js';
import { dockerCpArgv, dockerExecArgv, sshArgv } from './shell-argv.js';
import { traitsOf } from '../../providers/index.js';
import { UserError } from '../../model/diagnostic.js';
import { DEFAULT_FORMAT, isActive, machineStateName, matchesFilters, parseFormat, renderLs, type LsFilter, type LsFormat, type LsItem } from './ls-view.js';
import { detectShell, ENV_VARIABLES, envLines, usageHint, type ShellName } from './shell-env.js';

type MachineReport = StatusReport['machines'][number];

async function withMachines<T>(file: string, fn: (machines: MachineReport[], session: Session) => Promise<T> | T): Promise<T> {
  const desired = loadDesired(file);
  const session = await openSession(desired);
  try {
    return await fn(statusReport(desired, session.observation.observed).machines, session);
  } finally {
    await session.close();
  }
}

function pick(machines: MachineReport[], name: string): MachineReport {
  const m = machines.find((x) => x.name === name);
  if (!m) throw new Error(`no machine named ${name}; machines: ${machines.map((x) => x.name).join(', ') || '(none yet: run cluster apply)'}`);
  return m;
}

function lsItem(m: MachineReport): LsItem {
  const url = m.engine ? dockerHostOf(m.engine.url) : '';
  const active = isActive(m.state, url, process.env.DOCKER_HOST);
  return {
    Name: m.name,
    Active: active ? '*' : '-',
    ActiveHost: active,
    DriverName: m.driver,
    State: machineStateName(m.state),
    URL: url,
    Swarm: m.role ?? '',
    // docker-machine prints v20.10.24 (ls.go), and Unknown when the engine did not answer.
    DockerVersion: m.engine ? (/^\d/.test(m.engine.version) ? `v${m.engine.version}` : m.engine.version) : 'Unknown',
    Error: m.problem ?? '',
    labels: m.labels,
  };
}

export interface LsOptions {
  file: string;
  json?: boolean;
  quiet?: boolean;
  filter?: LsFilter[];
  format?: LsFormat;
}

/** docker-machine ls: -q prints only the names, --filter applies to every output, --json adds `active`. */
export async function lsCommand(opts: LsOptions): Promise<number> {
  return withMachines(opts.file, (machines) => {
    const shown = machines.map((m) => ({ m, item: lsItem(m) })).filter(({ item }) => matchesFilters(item, opts.filter ?? []));
    if (opts.json) {
      process.stdout.write(jsonDocument({ machines: shown.map(({ m, item }) => ({ name: m.name, driver: m.driver, state: m.state, role: m.role, url: m.engine?.url ?? null, version: m.engine?.version ?? null, error: m.problem, active: item.ActiveHost })) }));
    } else if (opts.quiet) {
      process.stdout.write(shown.map(({ m }) => `${m.name}\n`).join(''));
    } else {
      process.stdout.write(renderLs(opts.format ?? parseFormat(DEFAULT_FORMAT), shown.map(({ item }) => item)));
    }
    return 0;
  });
}

/** docker-machine active (commands/active.go): the running machine whose URL DOCKER_HOST is; exit 1 when none. */
export async function activeCommand(opts: { file: string; json?: boolean }): Promise<number> {
  return withMachines(opts.file, (machines, session) => {
    const host = process.env.DOCKER_HOST;
    const items = machines.map(lsItem);
    const active = items.find((i) => i.ActiveHost);
    if (active) {
      process.stdout.write(opts.json ? jsonDocument({ machine: active.Name, url: active.URL }) : `${active.Name}\n`);
      return 0;
    }
    const cluster = session.desired.name;
    if (!host) throw UserError.plain(`no active machine: DOCKER_HOST is not set`, `point the docker CLI at a machine with \`eval $(cluster env MACHINE)\``);
    const stopped = items.find((i) => i.URL === host);
    if (stopped) throw UserError.plain(`no active machine: DOCKER_HOST (${host}) is machine ${stopped.Name}, which is ${stopped.State}`, `start it with \`cluster apply\`, or point elsewhere with \`eval $(cluster env MACHINE)\``);
    throw UserError.plain(`no active machine: DOCKER_HOST (${host}) is not the URL of a machine of cluster ${cluster}`, `\`cluster ls\` lists their URLs; \`eval $(cluster env MACHINE)\` points the docker CLI at one`);
  });
}

export async function ipCommand(name: string, opts: { file: string; json?: boolean }): Promise<number> {
  return withMachines(opts.file, (machines) => {
    const m = pick(machines, name);
    if (!m.address) throw new Error(`machine ${name} has no address (state: ${m.state})`);
    process.stdout.write(opts.json ? jsonDocument({ machine: name, address: m.address }) : `${m.address}\n`);
    return 0;
  });
}

export async function inspectCommand(name: string, opts: { file: string }): Promise<number> {
  return withMachines(opts.file, (machines, session) => {
    const m = pick(machines, name);
    const desired = session.desired.machines.find((x) => x.name === name);
    // JSON always, as docker-machine inspect; a document of the one contract, format_version first.
    process.stdout.write(jsonDocument({ ...m, desired: desired ? { driver: desired.driver, role: desired.role ?? null, labels: desired.labels, cpus: desired.cpus ?? null, memory: desired.memory ?? null, options: desired.options } : null }));
    return 0;
  });
}

/** What DOCKER_HOST holds for a machine: its engine URL in the docker CLI's spelling (tcp://, not https://). */
export function dockerHostOf(url: string): string {
  return url.replace(/^https?:/, 'tcp:');
}

/**
 * `eval $(cluster env m1)`: the docker CLI then talks to that machine's engine. As docker-machine env
 * (commands/env.go): DOCKER_MACHINE_NAME names it, the TLS variables are unset for an engine without
 * TLS (a previous `env` of a TLS machine must not leave them behind), `--unset` takes no machine.
 */
export async function envCommand(name: string | undefined, opts: { file: string; shell?: ShellName; unset?: boolean; json?: boolean }): Promise<number> {
  const detected = opts.shell ? { shell: opts.shell } : detectShell(process.env, process.platform);
  const write = (machine: string | null, vars: Record<string, string | null>): number => {
    if (opts.json) {
      const set = Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== null));
      const unset = Object.entries(vars).flatMap(([k, v]) => (v === null ? [k] : []));
      process.stdout.write(jsonDocument({ machine, shell: detected.shell, set, unset }));
      return 0;
    }
    if (detected.note) process.stderr.write(`${detected.note}\n`);
    process.stdout.write(envLines(detected.shell, vars) + usageHint(detected.shell, process.argv.slice(2)));
    return 0;
  };
  if (opts.unset) {
    if (name) throw new Error(`expected no machine name with --unset (got ${name}): \`cluster env --unset\` undoes whichever machine was set`);
    return write(null, Object.fromEntries(ENV_VARIABLES.map((k) => [k, null])));
  }
  if (!name) throw new Error('name a machine, or use --unset');
  return withMachines(opts.file, (machines, session) => {
    const m = pick(machines, name);
    if (!m.engine) throw new Error(`machine ${name} has no reachable engine (state: ${m.state}${m.problem ? `, ${m.problem}` : ''})`);
    if (m.engine.url.startsWith('sim://')) throw new Error(`machine ${name} is simulated (sim driver): there is no engine for the docker CLI to talk to`);
    // A driver that issues its own TLS material (ssh: the cluster CA) says what the docker CLI needs.
    const own = session.drivers.get(m.driver as DriverName)?.dockerEnv?.(name);
    if (own) return write(name, { DOCKER_TLS_VERIFY: null, DOCKER_HOST: null, DOCKER_CERT_PATH: null, ...own, DOCKER_MACHINE_NAME: name });
    const tls = session.desired.machines.find((x) => x.name === name)?.options.tls as { ca?: string; cert?: string } | undefined;
    const vars: Record<string, string | null> = { DOCKER_TLS_VERIFY: null, DOCKER_HOST: dockerHostOf(m.engine.url), DOCKER_CERT_PATH: null, DOCKER_MACHINE_NAME: name };
    if (tls?.cert) Object.assign(vars, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tls.cert.replace(/\/[^/]*$/, '') });
    return write(name, vars);
  });
}

/** A shell on the machine: docker machines through `docker exec` on the host engine, ssh:// engines through ssh. */
export async function sshCommand(name: string, command: string[], opts: { file: string }): Promise<number> {
  const target = await withMachines(opts.file, (machines, session) => {
    const m = pick(machines, name);
    const cluster = session.desired.name;
    const shell = traitsOf(m.driver).shell;
    if (shell === 'none') throw new Error(`machine ${name} (${m.driver} driver) has no shell`);
    if (shell === 'docker-exec') {
      const host = session.drivers.get(m.driver)?.hostEngine?.().url;
      return { cmd: 'docker', args: dockerExecArgv(`${cluster}-${name}`, command, Boolean(process.stdin.isTTY)), env: { ...process.env, DOCKER_HOST: host } };
    }
    const login = session.drivers.get(m.driver)?.loginArgv?.(name, command);
    if (login) return { cmd: 'ssh', args: login, env: process.env };
    const url = m.engine?.url ?? '';
    if (!url.startsWith('ssh://')) throw new Error(`machine ${name} (${url || 'no engine url'}) is not reached over ssh: log in to that host yourself`);
    return { cmd: 'ssh', args: sshArgv(url, command), env: process.env };
  });
  const r = spawnSync(target.cmd, target.args, { stdio: 'inherit', env: target.env as NodeJS.ProcessEnv });
  if (r.error) throw new Error(`${target.cmd}: ${r.error.message}`);
  return r.status ?? 1;
}

/** `cluster scp worker-1:/etc/hostname .` — docker machines through `docker cp` on the host engine (directories copy whole). */
export async function scpCommand(from: string, to: string, opts: { file: string }): Promise<number> {
  const steps = await withMachines(opts.file, (machines, session) => {
    const host = session.drivers.get('docker')?.hostEngine?.().url;
    const side = (arg: string) => {
      const m = /^([a-z0-9][\w.-]*):(.*)$/i.exec(arg);
      if (!m || !machines.some((x) => x.name === m[1])) return { local: arg };
      const machine = pick(machines, m[1]!);
      if (traitsOf(machine.driver).shell !== 'docker-exec') throw new Error(`scp reaches machines that are containers on a host engine (docker driver) only; ${machine.name} is ${machine.driver}`);
      return { container: `${session.desired.name}-${machine.name}`, path: m[2] || '.' };
    };
    const a = side(from);
    const b = side(to);
    const ref = (s: ReturnType<typeof side>) => ('local' in s ? s.local! : `${s.container}:${s.path}`);
    if ('local' in a && 'local' in b) throw new Error('name a machine on one side at least: MACHINE:PATH');
    if (!('local' in a) && !('local' in b)) {
      // docker cp does not copy between containers: go through a folder on this host.
      const tmp = mkdtempSync(join(tmpdir(), 'cluster-scp-'));
      return { host, cmds: [dockerCpArgv(ref(a), tmp), dockerCpArgv(`${tmp}/${basename(a.path!)}`, ref(b))] };
    }
    return { host, cmds: [dockerCpArgv(ref(a), ref(b))] };
  });
  for (const args of steps.cmds) {
    const r = spawnSync('docker', args, { stdio: 'inherit', env: { ...process.env, DOCKER_HOST: steps.host } });
    if (r.error) throw new Error(`docker: ${r.error.message}`);
    if (r.status !== 0) return r.status ?? 1;
  }
  return 0;
}

/** `cluster regenerate-certs m`: the machine's engine gets a new certificate from the cluster CA (ssh machines), under the apply lock. */
export async function regenerateCertsCommand(name: string, opts: { file: string; lockTimeout?: number }): Promise<number> {
  const desired = loadDesired(opts.file);
  const session = await openSession(desired, { command: 'regenerate-certs', timeoutMs: opts.lockTimeout ?? 0 });
  try {
    const m = pick(statusReport(desired, session.observation.observed).machines, name);
    const driver = session.drivers.get(m.driver as DriverName);
    if (!driver?.regenerateCerts) throw new Error(`machine ${name} (${m.driver} driver) has no certificates of this tool's to regenerate`);
    await driver.regenerateCerts(name);
    process.stderr.write(`machine ${name}: new server certificate installed, engine restarted\n`);
    return 0;
  } finally {
    await session.close();
  }
}
