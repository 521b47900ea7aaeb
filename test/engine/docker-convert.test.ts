// Pure mapping between the core's data and the Docker Engine API: no engine needed.
import { describe, expect, it } from 'vitest';
import type Dockerode from 'dockerode';
import { loadError } from '../../src/providers/docker/engine.js';
import { toContainer, toCreateOptions, toFacts, toImage, toSwarmNode } from '../../src/providers/docker/convert.js';
import type { ServiceSpec } from '../../src/model/desired.js';
import { LABEL } from '../../src/model/observed.js';

const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({
  image: 'nginx:1.25',
  environment: {},
  ports: [],
  volumes: [],
  labels: {},
  reservations: { cpus: 0, memory: 0 },
  limits: { cpus: 0, memory: 0 },
  links: [],
  volumesFrom: [],
  ...over,
});

describe('toCreateOptions', () => {
  it('maps image, command, entrypoint, environment and labels (ownership labels win)', () => {
    const o = toCreateOptions({
      name: 'demo-web-1',
      spec: spec({ command: ['nginx', '-g', 'daemon off;'], entrypoint: ['/docker-entrypoint.sh'], environment: { A: '1', B: 'x=y' }, labels: { team: 'web', [LABEL.service]: 'forged' } }),
      labels: { [LABEL.cluster]: 'demo', [LABEL.service]: 'web' },
    });
    expect(o.name).toBe('demo-web-1');
    expect(o.Image).toBe('nginx:1.25');
    expect(o.Cmd).toEqual(['nginx', '-g', 'daemon off;']);
    expect(o.Entrypoint).toEqual(['/docker-entrypoint.sh']);
    expect(o.Env).toEqual(['A=1', 'B=x=y']);
    expect(o.Labels).toEqual({ team: 'web', [LABEL.cluster]: 'demo', [LABEL.service]: 'web' });
  });

  it('leaves Cmd, Entrypoint, Healthcheck, RestartPolicy and resources out when not asked for', () => {
    const o = toCreateOptions({ name: 'x', spec: spec(), labels: {} });
    expect(o).not.toHaveProperty('Cmd');
    expect(o).not.toHaveProperty('Entrypoint');
    expect(o).not.toHaveProperty('Healthcheck');
    expect(o.HostConfig).not.toHaveProperty('RestartPolicy');
    expect(o.HostConfig).not.toHaveProperty('NanoCpus');
    expect(o.HostConfig).not.toHaveProperty('Memory');
    expect(o.HostConfig).not.toHaveProperty('MemoryReservation');
    expect(o.HostConfig).not.toHaveProperty('NetworkMode');
    expect(o.HostConfig?.PortBindings).toEqual({});
    expect(o.ExposedPorts).toEqual({});
  });

  // docker compose's buildContainerPortBindingOptions (pkg/compose/create.go): a binding per port entry,
  // an empty HostPort being one the engine picks ("80", "127.0.0.1::80"), a host range one to pick from.
  it('binds every port as docker compose does: host IP kept, no published port is one the engine picks, a host range passed on', () => {
    const o = toCreateOptions({
      name: 'x',
      spec: spec({
        ports: [
          { target: 80, published: 8080, protocol: 'tcp' },
          { target: 80, published: 8081, protocol: 'tcp', hostIp: '127.0.0.1' },
          { target: 53, published: 5353, protocol: 'udp' },
          { target: 9000, protocol: 'tcp' },
          { target: 82, protocol: 'tcp', hostIp: '127.0.0.1' },
          { target: 90, published: 8000, publishedEnd: 8010, protocol: 'sctp' },
        ],
      }),
      labels: {},
    });
    expect(o.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {}, '9000/tcp': {}, '82/tcp': {}, '90/sctp': {} });
    expect(o.HostConfig?.PortBindings).toEqual({
      '80/tcp': [{ HostPort: '8080' }, { HostPort: '8081', HostIp: '127.0.0.1' }],
      '53/udp': [{ HostPort: '5353' }],
      '9000/tcp': [{ HostPort: '' }],
      '82/tcp': [{ HostPort: '', HostIp: '127.0.0.1' }],
      '90/sctp': [{ HostPort: '8000-8010' }],
    });
  });

  it('turns volumes into mounts (volume, bind, tmpfs, read-only)', () => {
    const o = toCreateOptions({
      name: 'x',
      spec: spec({
        volumes: [
          { type: 'volume', source: 'data', target: '/data', readOnly: false },
          { type: 'volume', target: '/anon', readOnly: false },
          { type: 'bind', source: '/etc/app', target: '/etc/app', readOnly: true },
          { type: 'tmpfs', target: '/run', readOnly: false },
        ],
      }),
      labels: {},
    });
    expect(o.HostConfig?.Mounts).toEqual([
      { Type: 'volume', Source: 'data', Target: '/data', ReadOnly: false },
      { Type: 'volume', Source: '', Target: '/anon', ReadOnly: false },
      { Type: 'bind', Source: '/etc/app', Target: '/etc/app', ReadOnly: true },
      { Type: 'tmpfs', Source: '', Target: '/run', ReadOnly: false },
    ]);
  });

  it.each([
    ['no', { Name: 'no' }],
    ['always', { Name: 'always' }],
    ['unless-stopped', { Name: 'unless-stopped' }],
    ['on-failure', { Name: 'on-failure' }],
    ['on-failure:5', { Name: 'on-failure', MaximumRetryCount: 5 }],
  ])('restart %s → %o', (restart, policy) => {
    expect(toCreateOptions({ name: 'x', spec: spec({ restart }), labels: {} }).HostConfig?.RestartPolicy).toEqual(policy);
  });

  it('converts healthcheck durations from ms to ns', () => {
    const o = toCreateOptions({
      name: 'x',
      spec: spec({ healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost'], intervalMs: 30_000, timeoutMs: 10_000, retries: 3, startPeriodMs: 1_500 } }),
      labels: {},
    });
    expect(o.Healthcheck).toEqual({ Test: ['CMD', 'curl', '-f', 'http://localhost'], Interval: 30e9, Timeout: 10e9, Retries: 3, StartPeriod: 1.5e9 });
    const bare = toCreateOptions({ name: 'x', spec: spec({ healthcheck: { test: ['NONE'] } }), labels: {} });
    expect(bare.Healthcheck).toEqual({ Test: ['NONE'] });
  });

  it('maps limits to NanoCpus/Memory and the memory reservation to MemoryReservation', () => {
    const o = toCreateOptions({ name: 'x', spec: spec({ limits: { cpus: 1.5, memory: 512 * 1024 ** 2 }, reservations: { cpus: 0.5, memory: 256 * 1024 ** 2 } }), labels: {} });
    expect(o.HostConfig).toMatchObject({ NanoCpus: 1_500_000_000, Memory: 512 * 1024 ** 2, MemoryReservation: 256 * 1024 ** 2 });
    // A cpu reservation has no container-level equivalent: the scheduler accounts for it.
    expect(o.HostConfig).not.toHaveProperty('CpuShares');
  });

  it('passes plain network modes and skips service:/container: ones', () => {
    for (const mode of ['host', 'bridge', 'none']) expect(toCreateOptions({ name: 'x', spec: spec({ networkMode: mode }), labels: {} }).HostConfig?.NetworkMode).toBe(mode);
    for (const mode of ['service:db', 'container:abc']) expect(toCreateOptions({ name: 'x', spec: spec({ networkMode: mode }), labels: {} }).HostConfig).not.toHaveProperty('NetworkMode');
  });

  it('puts no links in HostConfig (they name containers, not services)', () => {
    const o = toCreateOptions({ name: 'x', spec: spec({ links: ['db', 'cache:redis'] }), labels: {} });
    expect(o.HostConfig).not.toHaveProperty('Links');
  });
});

const info = (over: Partial<Dockerode.ContainerInfo> = {}): Dockerode.ContainerInfo =>
  ({ Id: 'c1', Names: ['/demo-web-1'], Image: 'nginx:1.25', ImageID: 'sha256:1', Command: '', Created: 0, State: 'running', Status: 'Up', Ports: [], Labels: {}, HostConfig: { NetworkMode: 'bridge' }, NetworkSettings: { Networks: {} }, Mounts: [], ...over }) as Dockerode.ContainerInfo;

describe('toContainer', () => {
  it('strips the leading slash and dedupes published ports (IPv4 + IPv6 bindings), ignoring unpublished ones', () => {
    const c = toContainer(
      info({
        Ports: [
          { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
          { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
          { IP: '0.0.0.0', PrivatePort: 53, PublicPort: 8080, Type: 'udp' },
          { IP: '', PrivatePort: 9000, PublicPort: 0, Type: 'tcp' } as Dockerode.Port,
        ],
      }),
    );
    expect(c.name).toBe('demo-web-1');
    expect(c.state).toBe('running');
    expect(c.ports).toEqual([
      { published: 8080, protocol: 'tcp' },
      { published: 8080, protocol: 'udp' },
    ]);
  });

  it('keeps the host address of a port bound to one address, as classic port.go compares it (all interfaces: none)', () => {
    const c = toContainer(
      info({
        Ports: [
          { IP: '127.0.0.1', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
          { IP: '127.0.0.2', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
          { IP: '::1', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
          { IP: '::', PrivatePort: 53, PublicPort: 53, Type: 'udp' },
        ],
      }),
    );
    expect(c.ports).toEqual([
      { published: 8080, protocol: 'tcp', hostIp: '127.0.0.1' },
      { published: 8080, protocol: 'tcp', hostIp: '127.0.0.2' },
      { published: 8080, protocol: 'tcp', hostIp: '::1' },
      { published: 53, protocol: 'udp' },
    ]);
  });

  it('sets owner only with cluster, service, replica and config-hash labels, and reads reservations from the spec label', () => {
    const s = spec({ reservations: { cpus: 0.5, memory: 128 } });
    const c = toContainer(info({ Labels: { [LABEL.cluster]: 'demo', [LABEL.service]: 'web', [LABEL.replica]: '2', [LABEL.configHash]: 'abc', [LABEL.spec]: JSON.stringify(s) } }));
    expect(c.owner).toEqual({ cluster: 'demo', service: 'web', replica: 2, configHash: 'abc' });
    expect(c.reservations).toEqual({ cpus: 0.5, memory: 128 });
    // The checkout's identity, when the object carries one (earlier versions' objects do not).
    const withId = toContainer(info({ Labels: { [LABEL.cluster]: 'demo', [LABEL.service]: 'web', [LABEL.replica]: '2', [LABEL.configHash]: 'abc', [LABEL.id]: 'f00d' } }));
    expect(withId.owner).toEqual({ cluster: 'demo', service: 'web', replica: 2, configHash: 'abc', id: 'f00d' });

    const foreign = toContainer(info({ Labels: { [LABEL.service]: 'web' } }));
    expect(foreign.owner).toBeUndefined();
    expect(foreign.reservations).toEqual({ cpus: 0, memory: 0 });

    const clusterless = toContainer(info({ Labels: { [LABEL.service]: 'web', [LABEL.replica]: '2', [LABEL.configHash]: 'abc' } }));
    expect(clusterless.owner).toBeUndefined(); // whose would it be?

    const badSpec = toContainer(info({ Labels: { [LABEL.service]: 'web', [LABEL.replica]: 'x', [LABEL.configHash]: 'abc', [LABEL.spec]: '{not json' } }));
    expect(badSpec.owner).toBeUndefined();
    expect(badSpec.reservations).toEqual({ cpus: 0, memory: 0 });
  });

  it('falls back to the id when a container has no name, and to no labels', () => {
    const c = toContainer(info({ Names: [], Labels: undefined as unknown as Record<string, string> }));
    expect(c.name).toBe('c1');
    expect(c.labels).toEqual({});
  });
});

describe('toImage / toFacts', () => {
  it('drops <none>:<none> tags', () => {
    expect(toImage({ Id: 'sha256:i', RepoTags: ['a:1', '<none>:<none>'] } as Dockerode.ImageInfo)).toEqual({ id: 'sha256:i', tags: ['a:1'] });
    expect(toImage({ Id: 'sha256:j' } as Dockerode.ImageInfo)).toEqual({ id: 'sha256:j', tags: [] });
  });

  it('reads size, engine labels and swarm state from /info', () => {
    const f = toFacts(
      'unix:///x.sock',
      {
        ID: 'E1',
        ServerVersion: '20.10.24',
        Labels: ['size=xl', 'zone=a=b', 'broken'],
        NCPU: 4,
        MemTotal: 8e9,
        KernelVersion: '6.1',
        OperatingSystem: 'Debian',
        Driver: 'overlay2',
        Swarm: { LocalNodeState: 'active', NodeID: 'n1', ControlAvailable: true, Cluster: { ID: 'cl1' } },
      },
      [],
      [],
      { rack: '1' },
    );
    expect(f).toMatchObject({ url: 'unix:///x.sock', id: 'E1', version: '20.10.24', labels: { size: 'xl', zone: 'a=b' }, cpus: 4, memory: 8e9, kernelVersion: '6.1', operatingSystem: 'Debian', storageDriver: 'overlay2', executionDriver: '' });
    expect(f.labels).not.toHaveProperty('broken');
    expect(f.swarm).toEqual({ state: 'active', nodeId: 'n1', clusterId: 'cl1', role: 'manager', nodeLabels: { rack: '1' } });
  });

  it('reports a worker, and an inactive swarm without ids', () => {
    expect(toFacts('u', { Swarm: { LocalNodeState: 'active', NodeID: 'n2', ControlAvailable: false } }, [], []).swarm).toEqual({ state: 'active', nodeId: 'n2', role: 'worker' });
    expect(toFacts('u', { Swarm: { LocalNodeState: 'inactive', NodeID: '' } }, [], []).swarm).toEqual({ state: 'inactive' });
    expect(toFacts('u', {}, [], []).swarm).toEqual({ state: 'inactive' });
  });
});

describe('loadError', () => {
  it('finds the error in an /images/load response body', () => {
    expect(loadError('{"stream":"Loaded image: a:1\\n"}\n')).toBeUndefined();
    expect(loadError('{"errorDetail":{"message":"archive/tar: invalid tar header"},"error":"archive/tar: invalid tar header"}\n')).toBe('archive/tar: invalid tar header');
    expect(loadError('not json\n{"error":"boom"}')).toBe('boom');
  });
});

it('swarm health from /info and /nodes (dockerd 20.10 as measured): a leaderless manager gives its error and the raft members it knows; a node keeps only what a plan needs', () => {
  const noLeader = "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";
  const info = {
    Name: 'm1',
    Swarm: { LocalNodeState: 'active', NodeID: 'n1', NodeAddr: '172.17.0.6', ControlAvailable: true, Error: noLeader, Cluster: { ID: '' }, RemoteManagers: [{ NodeID: 'n3', Addr: '172.17.0.4:2377' }, { NodeID: 'n1', Addr: '172.17.0.6:2377' }] },
  };
  const f = toFacts('u', info, [], []);
  expect(f.hostname).toBe('m1');
  expect(f.swarm).toEqual({ state: 'active', nodeId: 'n1', nodeAddr: '172.17.0.6', role: 'manager', error: noLeader, managers: ['n1', 'n3'] });
  const down = { ID: 'n3', Version: { Index: 24 }, UpdatedAt: '2026-11-26T02:14:59Z', Description: { Hostname: 'm3' }, Spec: { Role: 'manager', Availability: 'active' }, Status: { State: 'down', Message: 'heartbeat failure', Addr: '172.17.0.4' }, ManagerStatus: { Reachability: 'unreachable', Addr: '172.17.0.4:2377' } };
  expect(toSwarmNode(down)).toEqual({ id: 'n3', hostname: 'm3', role: 'manager', state: 'down', reachability: 'unreachable' });
  expect(toSwarmNode({ ID: 'n1', Description: { Hostname: 'm1' }, Spec: { Role: 'manager' }, Status: { State: 'ready' }, ManagerStatus: { Leader: true, Reachability: 'reachable' } })).toEqual({ id: 'n1', hostname: 'm1', role: 'manager', state: 'ready', reachability: 'reachable', leader: true });
  expect(toSwarmNode({ ID: 'w', Description: { Hostname: 'w' }, Spec: { Role: 'worker' }, Status: { State: 'ready' } })).toEqual({ id: 'w', hostname: 'w', role: 'worker', state: 'ready' });
});
