// Networks: the top-level `networks:` map and each service's `networks:` resolved to engine names.
// With swarm roles a network spans machines (attachable overlay); without, services that share one
// and depend on each other are kept on one machine, or they could not reach each other.
import type { DesiredNetwork, DesiredService, SourcePosition } from '../model/desired.js';
import { didYouMean } from './hints.js';
import type { Path } from './read.js';

type Raw = Record<string, unknown>;

export interface NetworkUse {
  service: string;
  networks: { name: string; aliases: string[]; path: Path }[];
  /** Reports at a path of the file this service was written in (the manifest or a compose file). */
  report: (p: Path, message: string, hint?: string) => void;
}

export interface DeclaredNetwork {
  raw: Raw;
  position: SourcePosition;
}

export function resolveNetworks(cluster: string, declared: Map<string, DeclaredNetwork>, uses: NetworkUse[], services: DesiredService[], swarm: boolean): DesiredNetwork[] {
  const byName = new Map<string, DesiredNetwork>();
  for (const [name, { raw: o, position }] of declared) {
    const external = o.external === true || (typeof o.external === 'object' && o.external !== null);
    const engineName = external ? String(o.name ?? (o.external as Raw | undefined)?.name ?? name) : `${cluster}_${name}`;
    byName.set(name, { name, engineName, external, position });
  }
  const used = new Set<string>();
  const servicesByName = new Map(services.map((s) => [s.name, s]));
  for (const use of uses) {
    const service = servicesByName.get(use.service);
    if (!service || use.networks.length === 0) continue;
    const attach: { network: string; aliases: string[] }[] = [];
    for (const n of use.networks) {
      const network = byName.get(n.name);
      if (!network) {
        use.report(n.path, `service ${use.service} uses network ${n.name}, which is not declared`, didYouMean(n.name, [...byName.keys()]) ?? `declare it under the top-level \`networks:\``);
        continue;
      }
      used.add(n.name);
      attach.push({ network: network.engineName, aliases: [...new Set([use.service, ...n.aliases])] });
    }
    service.spec.networks = attach;
  }
  if (!swarm) keepPeersTogether(services);
  return [...byName.values()].filter((n) => used.has(n.name));
}

/** Without a swarm, a network does not leave its machine: a service goes where its dependencies on a shared network are. */
function keepPeersTogether(services: DesiredService[]): void {
  const networksOf = new Map(services.map((s) => [s.name, new Set((s.spec.networks ?? []).map((n) => n.network))]));
  for (const s of services) {
    const mine = networksOf.get(s.name)!;
    const together = s.dependsOn.filter((d) => [...(networksOf.get(d) ?? [])].some((n) => mine.has(n)));
    if (together.length) s.together = together;
  }
}
