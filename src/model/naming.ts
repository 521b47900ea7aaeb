// Deterministic names: a re-run after a crash finds what the last run made instead of duplicating it.

/** `<cluster>-<service>-<replica>`, or the service's compose `container_name` (it has one replica). */
export function containerName(cluster: string, service: string, replica: number, fixed?: string): string {
  return fixed ?? `${cluster}-${service}-${replica}`;
}

/**
 * The name a start-first rolling update parks the old container under while the new one takes the
 * replica's name (one engine holds a name once). Still named as the replica: after a crash between the
 * two, both are duplicates of it and the plan retires one (src/sched/fates.ts), never a lookalike left behind.
 */
export function parkedName(name: string): string {
  return `${name}-prev`;
}

/** `busybox` and `busybox:latest` are the same image; digests and explicit tags stay as written. */
export function normalizeImage(image: string): string {
  if (image.includes('@')) return image;
  const lastSlash = image.lastIndexOf('/');
  return image.slice(lastSlash + 1).includes(':') ? image : `${image}:latest`;
}
