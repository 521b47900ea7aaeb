// While observing: the registry digest each `pull_policy: always` image's tag points at now, asked
// through an engine (a machine's first, where the manifest's `engine:` options such as
// insecure-registries apply; else the driver's host engine) with the user's registry credentials.
// A registry that cannot be asked is a recorded reason, never a failure of the observation: the plan
// warns and keeps the replicas as they are.
import { errorMessage } from '../engine/errors.js';
import { registryCredentials } from '../engine/registry-auth.js';
import type { Engine } from '../engine/types.js';
import type { Desired } from '../model/desired.js';
import { registryOf } from '../model/image-ref.js';
import type { Observed } from '../model/observed.js';
import { normalizeImage } from '../model/naming.js';
import type { Drivers } from '../providers/index.js';
import type { MachineRecord } from '../providers/types.js';
import { withTimeout } from './timeout.js';

const RESOLVE_TIMEOUT_MS = 20_000;

export async function resolveImageDigests(desired: Desired, drivers: Drivers, observed: Observed, records: Map<string, MachineRecord>): Promise<Observed['imageDigests']> {
  const refs = [...new Set(desired.services.filter((s) => s.pullPolicy === 'always').map((s) => normalizeImage(s.spec.image)))].sort();
  if (!refs.length) return undefined;
  const engines = askers(drivers, observed, records);
  const out: NonNullable<Observed['imageDigests']> = {};
  await Promise.all(
    refs.map(async (ref) => {
      // A reference that already names its digest is its own answer.
      if (ref.includes('@')) return void (out[ref] = { digest: ref.slice(ref.indexOf('@') + 1) });
      if (!engines.length) return void (out[ref] = { error: 'no engine of this cluster can ask a registry (simulated machines)' });
      const registry = registryOf(ref);
      const creds = registryCredentials(registry);
      let error = '';
      for (const engine of engines) {
        try {
          out[ref] = { digest: await withTimeout(engine.resolveDigest!(ref, creds.auth), RESOLVE_TIMEOUT_MS, `the registry ${registry} did not answer within ${RESOLVE_TIMEOUT_MS / 1000} s`) };
          return;
        } catch (err) {
          error ||= errorMessage(err);
        }
      }
      out[ref] = { error: `${error}${creds.problem ? ` (${creds.problem})` : !creds.auth ? ` (no credentials for ${registry} in the docker config)` : ''}` };
    }),
  );
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A running machine's engine that answered (the first by name), then the drivers' host engines. */
function askers(drivers: Drivers, observed: Observed, records: Map<string, MachineRecord>): Engine[] {
  const out: Engine[] = [];
  const machine = observed.machines.find((m) => m.engine && records.has(m.name));
  if (machine) {
    const engine = drivers.get(machine.driver)?.engine(records.get(machine.name)!);
    if (engine?.resolveDigest) out.push(engine);
  }
  for (const d of drivers.values()) {
    const host = d.hostEngine?.();
    if (host?.resolveDigest) out.push(host);
  }
  return out;
}
