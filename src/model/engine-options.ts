// A machine's `engine:` map: keys of dockerd's daemon.json, merged into the machine's daemon.json by
// drivers that own it (docker). Which change dockerd takes live is dockerd's rule, read from moby
// v20.10.24 (the engine Debian ships, which the docker driver's machines run):
//   daemon/reload.go Daemon.Reload: debug, max-concurrent-downloads/-uploads, max-download-attempts,
//   shutdown-timeout, features, cluster-store/-opts/-advertise, labels, allow-nondistributable-artifacts,
//   insecure-registries, registry-mirrors, live-restore, network-diagnostic-port;
//   daemon/reload_unix.go reloadPlatform: runtimes, default-runtime, default-shm-size, default-ipc-mode,
//   default-cgroupns-mode.
// Every other key is read only when dockerd starts. Reload applies a key only when the new file sets
// it (`conf.IsValueSet(...)`, or `!= ""`): a key taken out keeps its old value until a restart.

export type EngineOptions = Record<string, unknown>;

export const RELOADABLE_ENGINE_KEYS: ReadonlySet<string> = new Set([
  'debug', 'max-concurrent-downloads', 'max-concurrent-uploads', 'max-download-attempts', 'shutdown-timeout', 'features',
  'cluster-store', 'cluster-store-opts', 'cluster-advertise', 'labels', 'allow-nondistributable-artifacts',
  'insecure-registries', 'registry-mirrors', 'live-restore', 'network-diagnostic-port',
  'runtimes', 'default-runtime', 'default-shm-size', 'default-ipc-mode', 'default-cgroupns-mode',
]);

/** daemon.json keys the machine's driver sets itself: `engine:` may not (why, for the message). */
export const RESERVED_ENGINE_KEYS: Readonly<Record<string, string>> = {
  labels: 'engine labels are the machine’s `labels:` (they are mirrored to the swarm node too)',
  hosts: 'the driver gives the engine its socket (dockerd refuses a setting given both as a flag and in daemon.json)',
  'data-root': 'the machine’s /var/lib/docker is its volume',
  graph: 'the machine’s /var/lib/docker is its volume',
  'exec-root': 'the driver lays out the machine’s /run',
  pidfile: 'the driver lays out the machine’s /run',
  // The ssh driver serves its engine on 2376 with the cluster CA's certificates (docker: no TCP socket at all).
  tls: 'the driver serves the engine over TLS with the cluster CA’s certificates',
  tlsverify: 'the driver serves the engine over TLS with the cluster CA’s certificates',
  tlscacert: 'the driver serves the engine over TLS with the cluster CA’s certificates',
  tlscert: 'the driver serves the engine over TLS with the cluster CA’s certificates',
  tlskey: 'the driver serves the engine over TLS with the cluster CA’s certificates',
};

export interface EngineChange {
  key: string;
  before: unknown;
  after: unknown;
}

/** Keys whose value differs (compared as canonical JSON), in key order. */
export function engineChanges(before: EngineOptions, after: EngineOptions): EngineChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((k) => canonical(before[k]) !== canonical(after[k])).map((k) => ({ key: k, before: before[k], after: after[k] }));
}

/** Reload (SIGHUP) when every change sets a key dockerd reloads; otherwise the engine restarts. */
export function engineChangeNeeds(changes: readonly EngineChange[]): 'reload' | 'restart' {
  return changes.every((c) => c.after !== undefined && RELOADABLE_ENGINE_KEYS.has(c.key)) ? 'reload' : 'restart';
}

/** `[10.200.1.1:5000]`, `{max-size: 10m}`, `overlay2`; an unset key reads as the empty value of the other side's type. */
export function showEngineValue(v: unknown, other?: unknown): string {
  if (v === undefined) return Array.isArray(other) ? '[]' : other && typeof other === 'object' ? '{}' : '(default)';
  if (Array.isArray(v)) return `[${v.map((x) => showEngineValue(x)).join(', ')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${showEngineValue(x)}`).join(', ')}}`;
  return String(v);
}

function canonical(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}
