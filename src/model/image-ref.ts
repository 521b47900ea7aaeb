// Image references as docker reads them (distribution/reference: the first path component is a
// registry when it has a '.' or ':' or is `localhost`; otherwise the image is on Docker Hub), and
// what the plan pins a service to once its tag is resolved: `<repository>@<digest>`.
import type { DesiredService } from './desired.js';
import type { Observed } from './observed.js';

/** Docker Hub's key in a docker config's `auths` (what `docker login` writes). */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

export function registryOf(ref: string): string {
  const slash = ref.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = ref.slice(0, slash);
  if (!/[.:]/.test(first) && first !== 'localhost') return 'docker.io';
  return first === 'index.docker.io' || first === 'registry-1.docker.io' ? 'docker.io' : first;
}

/** The reference without its tag or digest: `10.0.0.1:5000/app` of `10.0.0.1:5000/app:v1`. */
export function repositoryOf(ref: string): string {
  const at = ref.indexOf('@');
  const name = at < 0 ? ref : ref.slice(0, at);
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  return colon < 0 ? name : name.slice(0, colon);
}

export function pinnedImage(ref: string, digest: string): string {
  return `${repositoryOf(ref)}@${digest}`;
}

/** sha256:0123456789ab… → 0123456789ab, for plan text. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** What `pull_policy: always` resolved for this service's image at this plan, if it did. */
export function resolvedDigest(service: Pick<DesiredService, 'pullPolicy' | 'spec'>, observed: Pick<Observed, 'imageDigests'>, normalize: (ref: string) => string): string | undefined {
  if (service.pullPolicy !== 'always') return undefined;
  const r = observed.imageDigests?.[normalize(service.spec.image)];
  return r && 'digest' in r ? r.digest : undefined;
}

/**
 * The digest of the registry image a container runs: the label the tool put on it, else one of its
 * image's repository digests for the same repository (an image pulled by tag has one). Undefined when
 * unknown (an image copied from the host engine has none): then no digest change is claimed.
 */
export function containerDigest(c: { labels: Record<string, string>; imageDigests?: string[] }, ref: string, label: string): string | undefined {
  const labelled = c.labels[label];
  if (labelled) return labelled;
  const repo = repositoryOf(ref);
  const found = c.imageDigests?.find((d) => repositoryOf(d) === repo || repositoryOf(d).endsWith(`/${repo}`));
  return found?.slice(found.indexOf('@') + 1);
}

/** Desired with each `pull_policy: always` service's resolved digest filled in from what was observed. Pure. */
export function withResolvedImages<D extends { services: DesiredService[] }>(desired: D, observed: Pick<Observed, 'imageDigests'>, normalize: (ref: string) => string): D {
  if (!observed.imageDigests) return desired;
  let changed = false;
  const services = desired.services.map((s) => {
    const digest = resolvedDigest(s, observed, normalize);
    if (!digest || s.imageDigest === digest) return s;
    changed = true;
    return { ...s, imageDigest: digest };
  });
  return changed ? { ...desired, services } : desired;
}

/**
 * A replica made from this service's config is still current: same config hash, and, when the plan
 * resolved a digest, made from that digest (an unknown digest is never a reason to replace).
 */
export function isCurrentReplica(service: Pick<DesiredService, 'configHash' | 'imageDigest' | 'spec'>, c: { owner?: { configHash: string }; labels: Record<string, string>; imageDigests?: string[] }, label: string): boolean {
  if (c.owner?.configHash !== service.configHash) return false;
  if (!service.imageDigest) return true;
  const had = containerDigest(c, service.spec.image, label);
  return had === undefined || had === service.imageDigest;
}
