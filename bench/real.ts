// Cases 3-5, on real Docker-in-Docker machines of the bench engine (bench/engines.ts):
//  create: 3 machines with a swarm, `cluster apply` vs the seeds' step-by-step docker CLI;
//  apply30: 30 replicas on 3 machines, `cluster apply` vs `docker service create --replicas 30`
//           vs a sequential `docker run` loop, and vs the engines' own create+start (raw API);
//  watch: edit-to-converged latency of `cluster watch` on sim (50 machines) and real engines.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { connect } from '../src/providers/docker/engine.js';
import type { ServiceSpec } from '../src/model/desired.js';
import { background } from '../test/support/background.js';
import { actionSpan } from './apply-output.js';
import { clusterCli, docker, scratch, sleep } from './engines.js';
import { alternating, fail, summary, type Timing } from './stats.js';

async function timeAsync(runs: number, fn: () => Promise<void>, between?: () => Promise<void>): Promise<Timing> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
    await between?.();
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)]!, min: samples[0]!, max: samples[samples.length - 1]!, runs };
}

const machines = (name: string, extra = '') => `name: ${name}
machines:
  manager: { driver: docker, role: manager }
  w1: { driver: docker, role: worker }
  w2: { driver: docker, role: worker }
${extra}`;

/**
 * Ours and the CLI steps alternate round by round (stats.ts `alternating`): a side measured all before
 * the other (ours three times, then the CLI three times) carried the load's drift into the ratio
 * (0.74-0.87x in the bench's own runs of session 25 against 0.63-0.69x alternating). `ratio`: each
 * round's ours / CLI.
 */
export interface CreateResult {
  ours: Timing;
  cli: Timing;
  ratio: Timing;
  /**
   * Each side's `swarm init` alone, per round (ours: its action's span in the output; the CLI: the
   * command). Swarmkit's node sleeps 500 ms when its first health check of the new manager finds the
   * control API not serving yet (node.go initManagerConnection), which happens to either side in some
   * rounds and not others: an init of 0.5 s or more waited, and that is most of a round's spread.
   */
  init: { ours: number[]; cli: number[] };
}

export async function createBench(host: string, runs: number): Promise<CreateResult> {
  const warm = scratch('bench-warm-', machines('bwarm'));
  clusterCli(warm.dir, host, 'apply', '--auto-approve'); // builds the node image once, untimed
  clusterCli(warm.dir, host, 'destroy', '--auto-approve');
  const image = docker(host, 'images', 'cluster-node', '--format', '{{.Repository}}:{{.Tag}}').split('\n')[0]!;
  let k = 0;
  /** A round's side: its whole time and its `swarm init`'s, in ms. */
  type Side = { ms: number; init: number };
  const ours = async (): Promise<Side> => {
    // Named by this process too: a broken run before it may have left its machines behind.
    const made = scratch('bench-create-', machines(`bc${process.pid}-${k++}`));
    const t = performance.now();
    const out = clusterCli(made.dir, host, 'apply', '--auto-approve');
    const took = performance.now() - t;
    const init = actionSpan(out, '\\+ swarm init ');
    const nodes = docker(`unix://${join(made.dir, '.cluster/machines/manager/docker.sock')}`, 'node', 'ls', '--format', '{{.Hostname}} {{.Status}}').split('\n');
    clusterCli(made.dir, host, 'destroy', '--auto-approve');
    if (nodes.length !== 3 || nodes.some((n) => !n.endsWith(' Ready'))) fail(`cluster apply made ${nodes.join(', ')}`);
    return { ms: took, init };
  };
  const cli = async (): Promise<Side> => {
    const s = scratch('bench-cli-', '');
    const names = ['manager', 'w1', 'w2'].map((m) => ({ m, c: `bcli${process.pid}-${k}-${m}`, folder: join(s.dir, m) }));
    k++;
    const t = performance.now();
    for (const n of names) {
      mkdirSync(n.folder);
      writeFileSync(join(n.folder, 'daemon.json'), '{}');
      docker(host, 'run', '-d', '--name', n.c, '--hostname', n.m, '--cap-add', 'ALL', '--cap-drop', 'SYS_RESOURCE', '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined', '--security-opt', 'systempaths=unconfined', '--tmpfs', '/run', '-v', `${n.folder}:/engine`, '-v', `${n.c}:/var/lib/docker`, image);
      for (let i = 0; ; i++) {
        if (spawnOk(`unix://${n.folder}/docker.sock`)) break;
        if (i > 300) fail(`${n.c} did not start`);
        await sleep(100);
      }
    }
    const ip = (c: string) => docker(host, 'inspect', '-f', '{{.NetworkSettings.IPAddress}}', c);
    const mgr = `unix://${names[0]!.folder}/docker.sock`;
    const initAt = performance.now();
    docker(mgr, 'swarm', 'init', '--advertise-addr', ip(names[0]!.c));
    const init = performance.now() - initAt;
    const token = docker(mgr, 'swarm', 'join-token', '-q', 'worker');
    for (const n of names.slice(1)) docker(`unix://${n.folder}/docker.sock`, 'swarm', 'join', '--token', token, '--advertise-addr', ip(n.c), `${ip(names[0]!.c)}:2377`);
    const took = performance.now() - t;
    const nodes = docker(mgr, 'node', 'ls', '--format', '{{.Status}}').split('\n');
    if (nodes.length !== 3 || nodes.some((n) => n !== 'Ready')) fail(`the CLI steps made ${nodes.join(',')}`);
    for (const n of names) docker(host, 'rm', '-f', '-v', n.c);
    for (const n of names) docker(host, 'volume', 'rm', n.c);
    return { ms: took, init };
  };
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const rounds = await alternating(runs, ours, cli, ({ a, b }, i) =>
    process.stderr.write(`bench: creation round ${i + 1}/${runs}: ours ${s(a.ms)} (swarm init ${s(a.init)}), CLI steps ${s(b.ms)} (swarm init ${s(b.init)}), ${(a.ms / b.ms).toFixed(2)}x (load ${loadavg()[0]!.toFixed(1)})\n`),
  );
  return {
    ours: summary(rounds.map((r) => r.a.ms)),
    cli: summary(rounds.map((r) => r.b.ms)),
    ratio: summary(rounds.map((r) => r.a.ms / r.b.ms)),
    init: { ours: rounds.map((r) => r.a.init), cli: rounds.map((r) => r.b.init) },
  };
}

function spawnOk(url: string): boolean {
  return spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { env: { ...process.env, DOCKER_HOST: url } }).status === 0;
}

const birds = (n: number) => `services:
  warm: { image: busybox:latest, command: [sleep, "86400"], scale: 3 }
${n ? `  bird: { image: busybox:latest, command: [sleep, "86400"], scale: ${n} }\n` : ''}`;

export async function apply30Bench(host: string, runs: number): Promise<{ ours: Timing; raw: Timing; service: Timing; loop: Timing }> {
  const s = scratch('bench-apply-', machines('bapp', birds(0)));
  clusterCli(s.dir, host, 'apply', '--auto-approve'); // machines, swarm, busybox on every machine
  try {
    const sock = (m: string) => `unix://${join(s.dir, '.cluster/machines', m, 'docker.sock')}`;
    const engines = ['manager', 'w1', 'w2'].map((m) => connect(sock(m)));
    const count = async (prefix: string) => (await Promise.all(engines.map(async (e) => (await e.facts()).containers.filter((c) => c.name.startsWith(prefix) && c.state === 'running').length))).reduce((a, b) => a + b, 0);
    const clean = async (prefix: string) => {
      for (const e of engines) for (const c of (await e.facts()).containers) if (c.name.startsWith(prefix)) await e.removeContainer(c.id);
    };

    const ours = await timeAsync(
      runs,
      async () => {
        writeFileSync(s.file, machines('bapp', birds(30)));
        clusterCli(s.dir, host, 'apply', '--auto-approve');
        if ((await count('bapp-bird-')) !== 30) fail('cluster apply did not leave 30 running birds');
      },
      async () => {
        writeFileSync(s.file, machines('bapp', birds(0)));
        clusterCli(s.dir, host, 'apply', '--auto-approve');
      },
    );

    const spec: ServiceSpec = { image: 'busybox:latest', command: ['sleep', '86400'], environment: {}, ports: [], volumes: [], labels: {}, reservations: { cpus: 0, memory: 0 }, limits: { cpus: 0, memory: 0 }, links: [], volumesFrom: [] };
    let r = 0;
    const raw = await timeAsync(
      runs,
      async () => {
        const q = new PQueue({ concurrency: 10 });
        r++;
        await Promise.all(Array.from({ length: 30 }, (_, i) => q.add(async () => {
          const e = engines[i % 3]!;
          await e.startContainer(await e.createContainer({ name: `raw${r}-${i}`, spec, labels: {} }));
        })));
        if ((await count(`raw${r}-`)) !== 30) fail('raw create+start did not leave 30 running containers');
      },
      () => clean('raw'),
    );

    const mgr = sock('manager');
    const service = await timeAsync(
      runs,
      async () => {
        docker(mgr, 'service', 'create', '--detach=false', '--quiet', '--replicas', '30', '--name', 'svc', 'busybox:latest', 'sleep', '86400');
        const running = docker(mgr, 'service', 'ps', 'svc', '--filter', 'desired-state=running', '--format', '{{.CurrentState}}').split('\n').filter((l) => l.startsWith('Running')).length;
        if (running !== 30) fail(`docker service create: ${running} tasks running`);
      },
      async () => {
        docker(mgr, 'service', 'rm', 'svc');
        for (let i = 0; (await count('svc.')) > 0; i++) {
          if (i > 300) fail('service tasks did not go away');
          await sleep(100);
        }
        await clean('svc.');
      },
    );

    const loop = await timeAsync(
      runs,
      async () => {
        for (let i = 0; i < 30; i++) docker(sock(['manager', 'w1', 'w2'][i % 3]!), 'run', '-d', '--name', `loop-${i}`, 'busybox:latest', 'sleep', '86400');
        if ((await count('loop-')) !== 30) fail('docker run loop did not leave 30 running containers');
      },
      () => clean('loop-'),
    );
    return { ours, raw, service, loop };
  } finally {
    clusterCli(s.dir, host, 'destroy', '--auto-approve');
  }
}

/** Edit the scale, time until watch says converged: sim (50 machines) and real (1 machine). */
export async function watchBench(host: string, edits: number): Promise<{ sim: Timing; real: Timing; drift: Timing; floor: Timing }> {
  let drift: Timing | undefined;
  let floor: Timing | undefined;
  const one = async (manifest: (n: number) => string, n: number, timeoutMs: number, driftRuns = 0) => {
    const s = scratch('bench-watch-', manifest(1));
    const w = background(['watch', '-f', s.file, '--interval', '600'], { cwd: s.dir, env: { DOCKER_HOST: host } });
    try {
      await w.waitFor(/converged in/, 180_000);
      const samples: number[] = [];
      for (let i = 1; i <= n; i++) {
        const t = performance.now();
        writeFileSync(s.file, manifest(1 + i));
        await w.waitFor(/converged in/, timeoutMs, i + 1);
        samples.push(performance.now() - t);
        await sleep(300);
      }
      if (driftRuns) {
        const engine = connect(`unix://${join(s.dir, '.cluster/machines/solo/docker.sock')}`);
        // The floor of one edit: the engine's own create+start of the same container, nothing else.
        const spec: ServiceSpec = { image: 'busybox:latest', command: ['sleep', '86400'], environment: {}, ports: [], volumes: [], labels: {}, reservations: { cpus: 0, memory: 0 }, limits: { cpus: 0, memory: 0 }, links: [], volumesFrom: [] };
        let f = 0;
        floor = await timeAsync(n, async () => void (await engine.startContainer(await engine.createContainer({ name: `floor-${f++}`, spec, labels: {} }))), async () => {
          await engine.removeContainer((await engine.facts()).containers.find((c) => c.name === `floor-${f - 1}`)!.id);
          await sleep(300);
        });
        // Drift: remove a replica behind the tool's back; time until watch has put it back.
        const repairs: number[] = [];
        for (let i = 0; i < driftRuns; i++) {
          const victim = (await engine.facts()).containers.find((c) => c.owner?.replica === 1)!;
          const seen = (w.output().match(/converged in/g) ?? []).length;
          const t = performance.now();
          await engine.removeContainer(victim.id);
          await w.waitFor(/converged in/, timeoutMs, seen + 1);
          if (!(await engine.facts()).containers.some((c) => c.owner?.replica === 1 && c.state === 'running')) fail('drift was not repaired');
          repairs.push(performance.now() - t);
          await sleep(300);
        }
        repairs.sort((a, b) => a - b);
        drift = { median: repairs[Math.floor(driftRuns / 2)]!, min: repairs[0]!, max: repairs[driftRuns - 1]!, runs: driftRuns };
      }
      samples.sort((a, b) => a - b);
      return { median: samples[Math.floor(n / 2)]!, min: samples[0]!, max: samples[n - 1]!, runs: n };
    } finally {
      await w.stop('SIGINT');
      clusterCli(s.dir, host, 'destroy', '--auto-approve');
      if (readFileSync(s.file, 'utf8').length === 0) fail('manifest vanished');
    }
  };
  const sim = await one((k) => `name: bws\nmachines:\n  m: { driver: sim, count: 50, cpus: 4, memory: 8GiB }\nservices:\n  bird: { image: busybox, scale: ${10 + k} }\n`, edits, 10_000);
  const real = await one((k) => `name: bwr\nmachines:\n  solo: { driver: docker }\nservices:\n  bird: { image: busybox:latest, command: [sleep, "86400"], scale: ${k} }\n`, Math.max(3, Math.floor(edits / 3)), 60_000, Math.max(3, Math.floor(edits / 3)));
  return { sim, real, drift: drift!, floor: floor! };
}
