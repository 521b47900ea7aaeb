// x-cluster.ignore_changes, as Terraform's lifecycle.ignore_changes: where the running object differs
// from the manifest only in ignored fields, the plan takes it as it runs (Terraform plans with the
// prior value of an ignored attribute, and only for an object that exists: hashicorp/terraform
// internal/terraform, NodeAbstractResource.processIgnoreChanges). Done before placement and planning,
// on copies, so the scheduler and the plan see ignored differences as none:
// - a container whose recorded spec differs only there keeps its replica (no replace);
// - a swarm service whose recorded definition differs only there is not updated;
// - `scale` ignored: replicas numbered above the manifest's scale that run are kept (added by hand or
//   by an autoscaler), and a swarm service keeps the replica count it runs with.
// What was ignored is said in the plan's notes: nothing is ignored silently. Creating a missing object
// is never ignored (a replica removed by hand comes back), and a container replaced for another
// reason is made from the manifest. Pure.
import type { Operation } from 'fast-json-patch';
import { isGlobal, type Desired, type DesiredService } from '../model/desired.js';
import { copyContainer, LABEL, type Observed, type ObservedContainer } from '../model/observed.js';
import { ownsContainer, ownsLabels } from '../model/ownership.js';
import { maskedView, maskSpec, parseDigests, sensitiveChanges } from './sensitive.js';
import { parseSpecLabel, specPatch } from './spec-diff.js';
import { definitionPatch, swarmDefinition, swarmDefinitionDigests, swarmDefinitionHash, swarmServiceName } from './swarm-services.js';

export interface Honoured {
  desired: Desired;
  observed: Observed;
  notes: string[];
}

const under = (pointer: string, path: string) => path === pointer || path.startsWith(`${pointer}/`);

/** The ignored fields (as written) that cover every op of `patch`; undefined when some op is not ignored. */
function onlyIgnored(patch: Operation[], service: DesiredService, prefix = ''): string[] | undefined {
  const changes = patch.filter((op) => op.op !== 'test');
  if (!changes.length) return undefined;
  const fields = new Set<string>();
  for (const op of changes) {
    const rule = service.ignoreChanges!.find((r) => r.pointers.some((p) => p !== '/scale' && under(`${prefix}${p}`, op.path)) || (prefix && r.pointers.includes('/scale') && op.path === '/replicas'));
    if (!rule) return undefined;
    fields.add(rule.field);
  }
  return [...fields];
}

/** `scale` (or deploy.replicas) is ignored: a swarm update keeps the replica count the service runs with. */
export const ignoresScale = (s: DesiredService) => !!s.ignoreChanges?.some((r) => r.pointers.includes('/scale'));

export function honourIgnoreChanges(desired: Desired, observed: Observed): Honoured {
  if (!desired.services.some((s) => s.ignoreChanges?.length)) return { desired, observed, notes: [] };
  const notes: string[] = [];
  const viewer = { cluster: desired.name, identity: observed.identity };
  const containers = observed.machines.flatMap((m) => (m.engine?.containers ?? []).filter((c) => ownsContainer(viewer, c)));
  const swarmServices = observed.machines.flatMap((m) => m.engine?.swarmServices ?? []).filter((s) => ownsLabels(viewer, s.labels));

  // Scale first: a swarm definition's hash includes its replicas.
  const services = desired.services.map((s) => {
    if (!ignoresScale(s) || isGlobal(s)) return s;
    if (s.mode === 'swarm') {
      const found = swarmServices.find((x) => x.name === swarmServiceName(desired.name, s.name));
      const live = found?.tasks?.desired;
      if (live === undefined || live === s.scale) return s;
      notes.push(`${s.name}: the swarm runs ${live} replica${live === 1 ? '' : 's'}, the manifest says ${s.scale}; kept at ${live} (scale is in x-cluster.ignore_changes)`);
      return { ...s, scale: live };
    }
    const highest = Math.max(0, ...containers.filter((c) => c.owner!.service === s.name).map((c) => c.owner!.replica));
    if (highest <= s.scale) return s;
    const extra = highest === s.scale + 1 ? `replica ${highest} runs` : `replicas ${s.scale + 1} to ${highest} run`;
    notes.push(`${s.name}: ${extra} beyond the manifest's scale ${s.scale}; kept (scale is in x-cluster.ignore_changes)`);
    return { ...s, scale: highest };
  });
  const byName = new Map(services.map((s) => [s.name, s]));

  // Containers whose recorded spec differs only in ignored fields: taken as current.
  const kept = new Map<string, { fields: Set<string>; replicas: number[] }>();
  const current = new Map<string, ObservedContainer>();
  for (const c of containers) {
    const s = byName.get(c.owner!.service);
    if (!s?.ignoreChanges || s.mode !== 'containers' || c.owner!.configHash === s.configHash) continue;
    const before = parseSpecLabel(c.labels[LABEL.spec]);
    const after = maskedView(s.spec, desired.sensitive, `${desired.name}/${s.name}`);
    const masked = specPatch(before && maskSpec(before, desired.sensitive), after.spec);
    const fields = onlyIgnored([...masked, ...sensitiveChanges(parseDigests(c.labels[LABEL.sensitive]), after.digests, masked)], s);
    if (!fields) continue;
    current.set(c.id, copyContainer(c, { owner: { ...c.owner!, configHash: s.configHash } }));
    const k = kept.get(s.name) ?? { fields: new Set(), replicas: [] };
    fields.forEach((f) => k.fields.add(f));
    k.replicas.push(c.owner!.replica);
    kept.set(s.name, k);
  }
  for (const [name, k] of kept) {
    const replicas = [...new Set(k.replicas)].sort((a, b) => a - b);
    notes.push(`${name}: replica${replicas.length === 1 ? '' : 's'} ${replicas.join(', ')} differ${replicas.length === 1 ? 's' : ''} from the manifest only in ${[...k.fields].join(', ')}; kept as ${replicas.length === 1 ? 'it runs' : 'they run'} (x-cluster.ignore_changes)`);
  }

  // Swarm services whose recorded definition differs only in ignored fields: not updated.
  const currentHash = new Map<string, string>();
  for (const s of services) {
    if (!s.ignoreChanges || s.mode !== 'swarm') continue;
    const found = swarmServices.find((x) => x.name === swarmServiceName(desired.name, s.name));
    const hash = swarmDefinitionHash(s);
    if (!found || found.labels[LABEL.configHash] === hash) continue;
    const masked = definitionPatch(found.labels[LABEL.spec], swarmDefinition(s, desired));
    const fields = onlyIgnored([...masked, ...sensitiveChanges(parseDigests(found.labels[LABEL.sensitive]), swarmDefinitionDigests(s, desired), masked)], s, '/spec');
    if (!fields) continue;
    currentHash.set(found.id, hash);
    // A difference in replicas alone was said with the scale above.
    if (fields.every((f) => s.ignoreChanges!.find((r) => r.field === f)?.pointers.includes('/scale'))) continue;
    notes.push(`${s.name}: the swarm service differs from the manifest only in ${fields.join(', ')}; not updated (x-cluster.ignore_changes)`);
  }

  const machines = current.size || currentHash.size
    ? observed.machines.map((m) =>
        m.engine
          ? {
              ...m,
              engine: {
                ...m.engine,
                containers: m.engine.containers.map((c) => current.get(c.id) ?? c),
                ...(m.engine.swarmServices ? { swarmServices: m.engine.swarmServices.map((x) => (currentHash.has(x.id) ? { ...x, labels: { ...x.labels, [LABEL.configHash]: currentHash.get(x.id)! } } : x)) } : {}),
              },
            }
          : m,
      )
    : observed.machines;
  return { desired: { ...desired, services }, observed: { ...observed, machines }, notes };
}
