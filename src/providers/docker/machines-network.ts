// The network a docker-driver cluster's machines live on, on the host engine: a user-defined bridge
// with a subnet chosen here, so each machine keeps a fixed address across restarts. On Docker's
// default bridge a container gets whatever address is free when it starts: machines restarted in
// another order (a host reboot, then an apply that starts them in parallel) swap addresses, while
// their swarm still advertises the old ones and a 3-manager swarm never finds a leader again.
//
// Like the machines' volumes it is labelled with the cluster and the folder that made it; one that
// only carries the name is reported, never used nor removed.
import { createHash } from 'node:crypto';
import type Dockerode from 'dockerode';
import { EngineError, toEngineError } from '../../engine/errors.js';
import { LABEL } from '../../model/observed.js';
import { chooseAddress, chooseSubnet, defaultGateway } from './machine-subnet.js';

const KIND = 'io.cluster.kind';
const FOLDER = 'io.cluster.folder';
export const MACHINES_NETWORK_KIND = 'machines-network';
/** On a machine container: the fixed address it was given at create, so it is known while the machine is stopped. */
export const ADDRESS_LABEL = 'io.cluster.address';
const MTU = 'com.docker.network.driver.mtu';
/** How many subnets to try when another network takes the chosen one between our look and our create. */
const SUBNET_ATTEMPTS = 8;

export interface NetworkOwner {
  cluster: string;
  /** The manifest's folder: the identity of whoever made the network. */
  dir: string;
}

export interface MachinesNetwork {
  id: string;
  name: string;
  subnet: string;
  /** Made by this call: nothing is attached to it yet. */
  madeNow?: true;
}

/**
 * `<cluster>-machines-<8 hex of the folder>`: two checkouts with one cluster name each keep their
 * machines apart (as their machines' names already do) instead of one refusing the other's network.
 */
export function machinesNetworkName(owner: NetworkOwner): string {
  return `${owner.cluster}-machines-${createHash('sha256').update(`${owner.dir}\0${owner.cluster}`).digest('hex').slice(0, 8)}`;
}

/** This folder's machines network, if any; networks of that name it did not make are described in `foreign`. */
export async function findMachinesNetwork(host: Dockerode, owner: NetworkOwner): Promise<{ network?: MachinesNetwork; foreign: string[] }> {
  // The name filter matches substrings: machinesNetworkIn keeps the exact name only.
  return machinesNetworkIn(await host.listNetworks({ filters: { name: [machinesNetworkName(owner)] } }), owner);
}

/** findMachinesNetwork on networks already listed. */
function machinesNetworkIn(listed: Dockerode.NetworkInspectInfo[], owner: NetworkOwner): { network?: MachinesNetwork; foreign: string[] } {
  const name = machinesNetworkName(owner);
  const same = listed.filter((n) => n.Name === name);
  const ours = same.filter((n) => isOurs(n.Labels, owner));
  const foreign = same
    .filter((n) => !isOurs(n.Labels, owner))
    .map((n) => `network ${name} (${n.Id.slice(0, 12)}) on the host engine has the name of this cluster's machines network but was not made from this folder (its folder label: ${JSON.stringify(n.Labels?.[FOLDER] ?? '')})`);
  // Docker does not keep network names unique (two creates at one instant both succeed): the oldest wins, every time.
  const first = ours.sort((a, b) => (a.Created < b.Created ? -1 : a.Created > b.Created ? 1 : a.Id < b.Id ? -1 : 1)).find((n) => subnetOf(n));
  return { ...(first ? { network: { id: first.Id, name, subnet: subnetOf(first)! } } : {}), foreign };
}

/**
 * This folder's machines network, made if missing. Idempotent: a run killed after the create finds
 * it next time. The subnet overlaps none of the host engine's networks; one taken in between
 * ("Pool overlaps") is skipped and the next tried. `listed`: the host's networks, listed just now by
 * the caller (the first look then costs no request: a machine's create waits on it).
 */
export async function ensureMachinesNetwork(host: Dockerode, owner: NetworkOwner, listed?: Dockerode.NetworkInspectInfo[]): Promise<MachinesNetwork> {
  const name = machinesNetworkName(owner);
  const rejected: string[] = [];
  for (let attempt = 0; attempt < SUBNET_ATTEMPTS; attempt++) {
    // Every network, once: both the look for ours and the subnets taken.
    const all = attempt === 0 && listed ? listed : await host.listNetworks();
    const found = machinesNetworkIn(all, owner);
    if (found.network) return found.network;
    if (found.foreign.length) throw new EngineError('conflict', `${found.foreign[0]}: its machines cannot join it; rename the cluster, or remove that network yourself (docker network rm ${name}) if it is stale`);
    const taken = all.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? ''));
    // The engine's --mtu shapes its default bridge only; a machine on a link with a smaller MTU (a
    // cloud VM, a VPN) would drop its nested overlays' large packets. Take the default bridge's.
    const mtu = all.find((n) => n.Name === 'bridge')?.Options?.[MTU];
    const subnet = chooseSubnet([...taken, ...rejected], `${owner.cluster}\0${owner.dir}`);
    if (!subnet) throw new EngineError('refused', `no free /24 subnet left in 10.200.0.0-10.254.255.255 on the host engine for network ${name}`);
    try {
      const created = await host.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] },
        ...(mtu ? { Options: { [MTU]: mtu } } : {}),
        Labels: { [LABEL.cluster]: owner.cluster, [KIND]: MACHINES_NETWORK_KIND, [FOLDER]: owner.dir },
      });
      return { id: created.id, name, subnet, madeNow: true };
    } catch (err) {
      const e = toEngineError(err);
      // Someone made the name meanwhile: the next look says whether it is ours (reused) or not (refused).
      if (e.kind === 'conflict') continue;
      if (/pool overlaps/i.test(e.message)) {
        rejected.push(subnet);
        continue;
      }
      throw e;
    }
  }
  throw new EngineError('refused', `could not create network ${name} on the host engine in ${SUBNET_ATTEMPTS} attempts (its subnets kept being taken)`);
}

/**
 * The lowest free address in the network for a new machine: not the gateway, not an address any
 * container attached to it has or was given (running or not: a stopped machine keeps its claim).
 */
export async function freeMachineAddress(host: Dockerode, network: MachinesNetwork, claimed: Iterable<string> = []): Promise<string> {
  // A network made just now has no container yet (one attached meanwhile makes the start refuse the
  // address, and the driver picks again): its lowest free address needs no look (~15 ms on the path of
  // the first machine's create). Its gateway is the subnet's first address: none was given.
  if (network.madeNow) {
    const address = chooseAddress(network.subnet, [defaultGateway(network.subnet) ?? '', ...claimed].filter(Boolean));
    if (address) return address;
  }
  const [info, attached] = await Promise.all([
    host.getNetwork(network.id).inspect() as Promise<{ IPAM?: { Config?: { Gateway?: string }[] }; Containers?: Record<string, { IPv4Address?: string }> }>,
    attachedContainers(host, network),
  ]);
  const used = [
    info.IPAM?.Config?.[0]?.Gateway || defaultGateway(network.subnet) || '',
    ...Object.values(info.Containers ?? {}).map((c) => c.IPv4Address ?? ''),
    ...attached.flatMap((c) => {
      const endpoint = c.NetworkSettings?.Networks?.[network.name] as { IPAddress?: string; IPAMConfig?: { IPv4Address?: string } | null } | undefined;
      return [c.Labels?.[ADDRESS_LABEL] ?? '', endpoint?.IPAMConfig?.IPv4Address ?? '', endpoint?.IPAddress ?? ''];
    }),
    ...claimed,
  ].filter(Boolean);
  const address = chooseAddress(network.subnet, used);
  if (!address) throw new EngineError('refused', `network ${network.name} (${network.subnet}) has no free address left for another machine`);
  return address;
}

/**
 * Removes this folder's machines network once no container is attached to it. Docker itself would
 * remove a network whose containers are merely stopped, and they could then never start again, so
 * every container configured on it counts, whatever its state.
 */
export async function removeMachinesNetworkIfUnused(host: Dockerode, owner: NetworkOwner): Promise<void> {
  const { network } = await findMachinesNetwork(host, owner);
  if (!network) return;
  if ((await attachedContainers(host, network)).length) return;
  await host
    .getNetwork(network.id)
    .remove()
    .catch((err: unknown) => {
      const e = toEngineError(err);
      // Gone already, or something attached itself in between ("has active endpoints"): it keeps the network.
      if (e.kind === 'notFound' || e.kind === 'conflict' || /active endpoints/i.test(e.message)) return;
      throw e;
    });
}

/**
 * Every container configured on the network, in any state. By name as well as by id: a container
 * created but never started has no endpoint yet, so the engine knows its network only by name.
 */
export async function attachedContainers(host: Dockerode, network: MachinesNetwork): Promise<Dockerode.ContainerInfo[]> {
  return host.listContainers({ all: true, filters: { network: [network.id, network.name] } });
}

function isOurs(labels: Record<string, string> | null | undefined, owner: NetworkOwner): boolean {
  return !!labels && labels[LABEL.cluster] === owner.cluster && labels[KIND] === MACHINES_NETWORK_KIND && labels[FOLDER] === owner.dir;
}

function subnetOf(n: Dockerode.NetworkInspectInfo): string | undefined {
  return (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? '').find((s) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(s));
}
