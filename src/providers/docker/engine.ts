// The Engine interface on a real dockerd, through dockerode. Semantics the core relies on, whatever
// the engine's quirks: start of a running container and remove of a missing one succeed, a join of a
// node already in a swarm is a 'conflict' (the caller compares which swarm), and every failure is an EngineError (errors.ts): a name conflict is kind
// 'conflict', dropped connections and 5xx are 'unavailable' (the walker retries them).
import { setTimeout as sleep } from 'node:timers/promises';
import type Dockerode from 'dockerode';
import { pack } from 'tar-fs';
import { pack as packTar } from 'tar-stream';
import type { BuildSpec } from '../../model/desired.js';
import type { Role } from '../../model/desired.js';
import type { EngineFacts, ObservedSwarmService, SwarmFacts } from '../../model/observed.js';
import { dockerodeFor, type TlsFiles } from './connection.js';
import { toContainer, toCreateOptions, toFacts, toImage, toNetwork, toSwarmNode, withImageDigests } from './convert.js';
import { EngineError, errorMessage, progressError, toEngineError, tolerate, type EngineErrorKind } from '../../engine/errors.js';
import { ensureSwarmFiles, pruneSwarmFiles, serviceTasks, toSwarmServiceSpec } from './service.js';
import { containerLogs, serviceLogs } from './logs.js';
import type { ContainerCreateRequest, ContainerStatus, Engine, ImageFetch, LogLine, LogOptions, NetworkCreateRequest, SwarmJoinRequest, SwarmNode, SwarmServiceRequest, SwarmServiceTasks } from '../../engine/types.js';
import type { RegistryAuth } from '../../engine/registry-auth.js';

export function connect(url: string, tls?: TlsFiles): DockerEngine {
  return new DockerEngine(url, dockerodeFor(url, tls));
}

export class DockerEngine implements Engine {
  constructor(
    readonly url: string,
    readonly docker: Dockerode,
  ) {}

  async ping(): Promise<boolean> {
    try {
      await this.docker.ping();
      return true;
    } catch {
      return false;
    }
  }

  facts(): Promise<EngineFacts> {
    return call(async () => {
      const [info, containers, images, networks] = await Promise.all([this.docker.info(), this.docker.listContainers({ all: true }), this.docker.listImages(), this.docker.listNetworks()]);
      const sw = info.Swarm ?? {};
      // A manager's three swarm reads depend only on /info: asked side by side (on every observe, the
      // manager's facts were the last to arrive by two round trips).
      const [nodeLabels, services, nodes] = await Promise.all([
        // A node restarted soon after a demotion says ControlAvailable while its manager is not up;
        // the node labels are then unknown, not an error.
        sw.ControlAvailable && sw.NodeID ? this.nodeLabels(sw.NodeID).catch(() => undefined) : undefined,
        // status=true (API 1.41) adds each service's running and desired task counts.
        sw.ControlAvailable ? this.docker.listServices({ status: true } as Dockerode.ServiceListOptions).catch(() => undefined) : undefined,
        // What toFacts calls a manager without an error (role 'manager', no swarm error).
        sw.LocalNodeState === 'active' && sw.ControlAvailable && !sw.Error ? this.listSwarmNodes() : undefined,
      ]);
      const observedImages = images.map(toImage);
      const facts = toFacts(this.url, info, withImageDigests(containers.map(toContainer), containers, observedImages), observedImages, nodeLabels);
      if (nodes) addSwarmNodes(facts.swarm, nodes, info);
      return {
        ...facts,
        networks: networks.map(toNetwork),
        ...(services ? { swarmServices: services.map(toObservedService) } : {}),
      };
    });
  }

  /**
   * The node list, from a manager. A swarm that lost its leader between /info and /nodes says so in
   * the error of the list: that is its state, not a failure to observe.
   */
  private async listSwarmNodes(): Promise<{ nodes: unknown[] } | { error: string }> {
    try {
      return { nodes: (await this.docker.listNodes()) as unknown[] };
    } catch (err) {
      // No answer at all (a dropped connection) is not the swarm's state: observe asks again.
      if (toEngineError(err).status === undefined) throw err;
      return { error: errorMessage(err) };
    }
  }

  private async nodeLabels(nodeId: string): Promise<Record<string, string>> {
    return (await this.docker.getNode(nodeId).inspect()).Spec?.Labels ?? {};
  }

  async ensureImage(image: string, source?: Engine, opts: ImageFetch = {}): Promise<'present' | 'pulled' | 'copied'> {
    if (await this.hasImage(image)) return 'present';
    const pullError = opts.pull === false ? 'pull_policy never' : await this.pull(image, opts.auth);
    if (!pullError) return 'pulled';
    if (source?.exportImage && (await source.ensureImage(image).then(() => true, () => false))) {
      await this.importImage(await source.exportImage(image));
      if (await this.hasImage(image)) return 'copied';
    }
    throw new EngineError('notFound', `image ${image} is not on ${this.url} and cannot be pulled (${pullError})${source ? '; the host engine does not have it either' : ''}`);
  }

  createContainer(req: ContainerCreateRequest): Promise<string> {
    return call(async () => {
      const { id } = await this.docker.createContainer(toCreateOptions(req));
      // The create body takes one network (API 1.41); the others are connected before start.
      for (const n of req.spec.networks?.slice(1) ?? []) {
        await this.docker.getNetwork(n.network).connect({ Container: id, EndpointConfig: { Aliases: n.aliases } });
      }
      return id;
    });
  }

  containerStatus(id: string): Promise<ContainerStatus> {
    return call(async () => {
      const s = (await this.docker.getContainer(id).inspect()).State;
      return { state: s.Status, exitCode: s.ExitCode, ...(s.Health?.Status ? { health: s.Health.Status } : {}) };
    });
  }

  createService(req: SwarmServiceRequest): Promise<string> {
    return call(async () => {
      const found = (await this.docker.listServices({ filters: { name: [req.name] } })).find((x) => x.Spec?.Name === req.name);
      if (found?.ID) return found.ID; // a crashed run made it already: the update path converges it
      const files = await ensureSwarmFiles(this.docker, req);
      const spec = toSwarmServiceSpec(req, files);
      return ((await (req.auth ? this.docker.createService(req.auth, spec) : this.docker.createService(spec))) as { id?: string; ID?: string }).id ?? '';
    });
  }

  updateService(id: string, req: SwarmServiceRequest, opts: { force?: boolean } = {}): Promise<void> {
    return call(async () => {
      const service = this.docker.getService(id);
      const current = await service.inspect();
      const files = await ensureSwarmFiles(this.docker, req);
      const spec = toSwarmServiceSpec(req, files);
      // `docker service update --force`: a changed ForceUpdate counter is what makes the swarm roll again.
      const forceUpdate = (current.Spec?.TaskTemplate?.ForceUpdate ?? 0) + (opts.force ? 1 : 0);
      const body = { ...spec, TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: forceUpdate }, version: current.Version.Index };
      await (req.auth ? service.update(req.auth, body) : service.update(body));
      await pruneSwarmFiles(this.docker, req.name, files);
    });
  }

  removeService(id: string): Promise<void> {
    return call(async () => {
      const name = ((await this.docker.getService(id).inspect().catch(() => undefined)) as { Spec?: { Name?: string } } | undefined)?.Spec?.Name;
      await this.docker.getService(id).remove().catch(tolerate('notFound'));
      // Its secrets and configs go once its tasks stop mounting them (a few seconds), best effort.
      if (name) for (let i = 0; i < 20 && (await pruneSwarmFiles(this.docker, name)) > 0; i++) await sleep(250);
    });
  }

  serviceTasks(id: string): Promise<SwarmServiceTasks> {
    return call(() => serviceTasks(this.docker, id));
  }

  createNetwork(req: NetworkCreateRequest): Promise<void> {
    return call(async () => {
      if ((await this.docker.listNetworks({ filters: { name: [req.name] } })).some((n) => n.Name === req.name)) return;
      await this.docker.createNetwork({ Name: req.name, Driver: req.driver, Attachable: req.driver === 'overlay', CheckDuplicate: true, Labels: req.labels });
    }, ['conflict']);
  }

  removeNetwork(name: string): Promise<void> {
    return call(() => this.docker.getNetwork(name).remove(), ['notFound']);
  }

  startContainer(id: string): Promise<void> {
    return call(() => this.docker.getContainer(id).start(), ['notModified']);
  }

  removeContainer(id: string): Promise<void> {
    return call(async () => {
      const container = this.docker.getContainer(id);
      try {
        await container.remove({ force: true });
      } catch (err) {
        const e = toEngineError(err);
        if (!(e.kind === 'conflict' && /already in progress/.test(e.message))) throw e;
        // Someone (swarm, another run, a user's `docker rm`) is already removing it: it is going, which
        // is what we want; wait until it is gone, so its name and ports are free when this returns.
        const bound = AbortSignal.timeout(REMOVAL_WAIT_MS);
        await container.wait({ condition: 'removed', abortSignal: bound }).catch((waited: unknown) => {
          if (bound.aborted) throw new EngineError('conflict', `container ${id} was still being removed after ${REMOVAL_WAIT_MS / 1000} s`);
          return tolerate('notFound')(waited);
        });
      }
    }, ['notFound']);
  }

  renameContainer(id: string, name: string): Promise<void> {
    return call(() => this.docker.getContainer(id).rename({ name }));
  }

  swarmInit(advertiseAddr: string, opts: { forceNewCluster?: boolean } = {}): Promise<void> {
    return call(async () => {
      try {
        await this.docker.swarmInit({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: advertiseAddr, ...(opts.forceNewCluster ? { ForceNewCluster: true } : {}) });
      } catch (err) {
        // Already a manager of a swarm: that is what init wanted. A worker stays a worker: no retry cures that.
        // dockerd says 503 (unavailable) for "already part of a swarm".
        const e = toEngineError(err);
        if (e.kind !== 'unavailable') throw e;
        if (await this.isManager()) return;
        if (/already part of a swarm/i.test(e.message)) throw new EngineError('refused', `${this.url} is already part of a swarm as a worker: it cannot init one`, { cause: e });
        throw e;
      }
    });
  }

  swarmJoinTokens(): Promise<{ worker: string; manager: string }> {
    return call(async () => {
      const s = await this.docker.swarmInspect();
      return { worker: s.JoinTokens.Worker, manager: s.JoinTokens.Manager };
    });
  }

  swarmJoin(req: SwarmJoinRequest): Promise<void> {
    return call(async () => {
      try {
        await this.docker.swarmJoin({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: req.advertiseAddr, RemoteAddrs: req.remoteAddrs, JoinToken: req.token });
      } catch (err) {
        // Which swarm it is part of is for the caller to compare (by cluster id, or by the leader's node
        // list for a worker, which knows no cluster id): an earlier attempt's, or another one.
        if (alreadySo(err, /already part of a swarm/i)) throw new EngineError('conflict', `${this.url} is already part of a swarm`, { cause: err });
        throw err;
      }
    });
  }

  swarmLeave(force: boolean): Promise<void> {
    return call(async () => {
      try {
        await this.docker.swarmLeave({ force });
      } catch (err) {
        if (!alreadySo(err, /not part of a swarm/i)) throw err;
      }
    });
  }

  swarmNodes(): Promise<SwarmNode[]> {
    return call(async () =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      ((await this.docker.listNodes()) as any[]).map((n) => ({
        id: n.ID,
        hostname: n.Description?.Hostname ?? '',
        role: n.Spec?.Role === 'manager' ? 'manager' : 'worker',
        state: n.Status?.State ?? 'unknown',
        availability: n.Spec?.Availability ?? 'active',
        labels: n.Spec?.Labels ?? {},
        raftMember: n.ManagerStatus !== undefined,
      })),
    );
  }

  swarmNodeUpdate(nodeId: string, change: { role?: Role; labels?: Record<string, string>; availability?: string }): Promise<void> {
    return call(async () => {
      const node = this.docker.getNode(nodeId);
      const info = await node.inspect();
      const spec = { ...info.Spec, ...(change.role ? { Role: change.role } : {}), ...(change.labels ? { Labels: change.labels } : {}), ...(change.availability ? { Availability: change.availability } : {}) };
      await node.update({ version: info.Version.Index, ...spec });
    });
  }

  swarmNodeRemove(nodeId: string, force: boolean): Promise<void> {
    return call(() => this.docker.getNode(nodeId).remove({ force }), ['notFound']);
  }

  subscribe(cluster: string, onEvent: (what: string) => void): () => void {
    return subscribeEvents(this.docker, [`io.cluster.name=${cluster}`, 'io.cluster.service'], onEvent);
  }

  containerLogs(id: string, opts: LogOptions, onLine: (line: LogLine) => void): Promise<void> {
    return call(() => containerLogs(this.docker, id, opts, onLine));
  }

  serviceLogs(id: string, opts: LogOptions, onLine: (line: LogLine) => void): Promise<void> {
    return call(() => serviceLogs(this.docker, id, opts, onLine));
  }

  async exportImage(image: string): Promise<NodeJS.ReadableStream> {
    return call(() => this.docker.getImage(image).get());
  }

  importImage(tar: NodeJS.ReadableStream): Promise<void> {
    return call(async () => {
      const out = await this.docker.loadImage(tar);
      const text = await new Promise<string>((resolve, reject) => {
        let body = '';
        out.on('data', (d: Buffer) => (body += d.toString()));
        out.on('end', () => resolve(body));
        out.on('error', reject);
      });
      const failed = loadError(text);
      if (failed) throw new EngineError('refused', `image load failed: ${failed}`);
    });
  }

  private async hasImage(image: string): Promise<boolean> {
    return this.docker
      .getImage(image)
      .inspect()
      .then(() => true, (err: unknown) => tolerate('notFound')(err) ?? false);
  }

  putFile(containerId: string, path: string, content: Buffer, mode = 0o444): Promise<void> {
    return call(async () => {
      const tar = packTar();
      tar.entry({ name: path.replace(/^\/+/, ''), mode, size: content.length }, content);
      tar.finalize();
      // The engine makes missing parent folders (/run/secrets) when it unpacks at /.
      await this.docker.getContainer(containerId).putArchive(tar, { path: '/' });
    });
  }

  async buildImage(tag: string, build: BuildSpec): Promise<void> {
    const context = pack(build.context);
    const stream = await call(() =>
      this.docker.buildImage(context, { t: tag, ...(build.dockerfile ? { dockerfile: build.dockerfile } : {}), ...(build.args ? { buildargs: build.args } : {}), ...(build.target ? { target: build.target } : {}) }),
    );
    // Like a pull, a failed build ends the stream normally: the error is in an event.
    const failed = progressError(await followProgress(this.docker, stream));
    if (failed) throw new EngineError('refused', `building ${tag} from ${build.context} failed: ${failed}`);
  }

  async resolveDigest(image: string, auth?: RegistryAuth): Promise<string> {
    return call(async () => {
      const found = (await this.docker.getImage(image).distribution(auth ? { authconfig: auth } : {})) as { Descriptor?: { digest?: string } };
      const digest = found.Descriptor?.digest;
      if (!digest) throw new EngineError('refused', `the registry gave no digest for ${image}`);
      return digest;
    });
  }

  /** Undefined when pulled; else why not. A failed pull ends without an error, the error is in the last event. */
  private async pull(image: string, auth?: RegistryAuth): Promise<string | undefined> {
    try {
      return progressError(await followProgress(this.docker, await this.docker.pull(image, auth ? { authconfig: auth } : {})));
    } catch (err) {
      return errorMessage(err);
    }
  }

  private async isManager(): Promise<boolean> {
    const info = await this.docker.info();
    return info.Swarm?.LocalNodeState === 'active' && Boolean(info.Swarm?.ControlAvailable);
  }
}

/** The error a /images/load response stream reports (`{"error": ...}` lines, HTTP 200), if any. */
export function loadError(body: string): string | undefined {
  for (const line of body.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as { error?: unknown; errorDetail?: { message?: unknown } };
      const msg = e.errorDetail?.message ?? e.error;
      if (msg) return String(msg);
    } catch {
      // progress text that is not JSON
    }
  }
  return undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function addSwarmNodes(swarm: SwarmFacts, listed: { nodes: unknown[] } | { error: string }, info: any): void {
  if ('nodes' in listed) {
    swarm.nodes = listed.nodes.map(toSwarmNode).sort((a, b) => (a.id < b.id ? -1 : 1));
    return;
  }
  swarm.error = listed.error;
  swarm.managers = ((info.Swarm?.RemoteManagers ?? []) as { NodeID?: string }[]).map((p) => p.NodeID ?? '').filter(Boolean).sort();
}

/** Run one API call: failures of the `done` kinds mean "already so" (undefined); the rest is thrown as an EngineError. */
async function call<T>(fn: () => Promise<T>, done: EngineErrorKind[] = []): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    return tolerate(...done)(err) as T;
  }
}

/** A swarm request refused because the node already is where it was asked to go (dockerd: 503 and a sentence). */
function alreadySo(err: unknown, sentence: RegExp): boolean {
  return toEngineError(err).kind === 'unavailable' && sentence.test(errorMessage(err));
}

/** All events of a progress stream (pull, build); a failure is in an event, not in `err` (see progressError). */
function followProgress(docker: Dockerode, stream: NodeJS.ReadableStream): Promise<{ error?: string; errorDetail?: { message?: string } }[]> {
  return new Promise((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => (err ? reject(err) : resolve(out))));
}

/** How long a removal someone else started may take before a run that needs the name gives up. */
const REMOVAL_WAIT_MS = 60_000;

const DRIFT_EVENTS = ['die', 'stop', 'kill', 'oom', 'destroy'];

/**
 * Docker's /events stream, filtered by labels, one callback per event; reconnects are the caller's business.
 * The stream answers a moment after the call (long on a busy engine): `since` the call, the engine replays
 * what happened in between, so a container removed right after a watch converged is not missed. `since` is
 * read on the engine's clock (/info's SystemTime): a remote engine whose clock is behind ours would take our
 * time as its future and leave out what happens until its clock gets there.
 */
export function subscribeEvents(docker: Dockerode, labels: string[], onEvent: (what: string) => void): () => void {
  let stream: NodeJS.ReadableStream & { destroy?: () => void } | undefined;
  let closed = false;
  engineClockAtCall(docker)
    .then((since) => (closed ? undefined : docker.getEvents({ since, filters: { type: ['container'], event: DRIFT_EVENTS, label: labels } })))
    .then((s) => {
      if (!s) return;
      stream = s as typeof stream;
      if (closed) return stream!.destroy?.();
      let buffer = '';
      s.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          try {
            const e = JSON.parse(line) as { Action?: string; Actor?: { Attributes?: Record<string, string> } };
            onEvent(`${e.Actor?.Attributes?.name ?? 'a container'} ${e.Action ?? 'changed'}`);
          } catch {
            // a partial or foreign line: the periodic re-observe still catches drift
          }
        }
      });
      s.on('error', () => undefined);
    })
    .catch(() => undefined);
  return () => {
    closed = true;
    stream?.destroy?.();
  };
}

/**
 * The engine's clock at the moment of this call, in seconds: its SystemTime less the time the answer took
 * (an early `since` replays a few events more, never fewer). Ours when the engine does not say.
 */
async function engineClockAtCall(docker: Dockerode): Promise<number> {
  const called = Date.now();
  const info = (await docker.info().catch(() => undefined)) as { SystemTime?: string } | undefined;
  const at = info?.SystemTime ? Date.parse(info.SystemTime) : NaN;
  return (Number.isFinite(at) ? at - (Date.now() - called) : called) / 1000;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function toObservedService(x: any): ObservedSwarmService {
  const update = x.UpdateStatus as { State?: string; Message?: string } | undefined;
  return {
    id: x.ID ?? '',
    name: x.Spec?.Name ?? '',
    labels: x.Spec?.Labels ?? {},
    ...(update?.State ? { rollout: { state: update.State, ...(update.Message ? { message: update.Message } : {}) } } : {}),
    ...(x.ServiceStatus ? { tasks: { running: x.ServiceStatus.RunningTasks ?? 0, desired: x.ServiceStatus.DesiredTasks ?? 0 } } : {}),
  };
}
