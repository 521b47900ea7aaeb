// The labels the docker CLI's own views read, so `docker compose -p CLUSTER ps` and `docker stack ps
// CLUSTER` on a machine list what cluster runs. Names from docker/compose pkg/api/labels.go and
// docker/cli cli/compose/convert (LabelNamespace, LabelImage).
//
// None of them is part of a config hash or of the spec label: adding them changes no plan, so a
// cluster made by an earlier version keeps its containers and services; they carry the labels from
// their next replacement or update on.
import type { Desired, DesiredService } from './desired.js';

export const COMPOSE_LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  containerNumber: 'com.docker.compose.container-number',
  /** `compose ps` lists only containers with oneoff=False (pkg/compose/containers.go oneOffExclude). */
  oneoff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  configFiles: 'com.docker.compose.project.config_files',
  workingDir: 'com.docker.compose.project.working_dir',
} as const;

export const STACK_LABEL = {
  /** `docker stack ps|services NAME` filter on it (cli/command/stack/common.go getStackFilter). */
  namespace: 'com.docker.stack.namespace',
  image: 'com.docker.stack.image',
} as const;

/** What compose would put on replica `replica` of `service` (its config hash is ours, not compose's). */
export function composeLabels(desired: Pick<Desired, 'name' | 'file'>, service: Pick<DesiredService, 'name' | 'configHash'>, replica: number): Record<string, string> {
  return {
    [COMPOSE_LABEL.project]: desired.name,
    [COMPOSE_LABEL.service]: service.name,
    [COMPOSE_LABEL.containerNumber]: String(replica),
    [COMPOSE_LABEL.oneoff]: 'False',
    [COMPOSE_LABEL.configHash]: service.configHash,
    [COMPOSE_LABEL.configFiles]: desired.file,
    [COMPOSE_LABEL.workingDir]: desired.file.replace(/\/[^/]*$/, '') || '/',
  };
}

/** What `docker stack deploy` puts on a service (convert.Service: the namespace, and the image as written). */
export function stackLabels(cluster: string, image: string): Record<string, string> {
  return { [STACK_LABEL.namespace]: cluster, [STACK_LABEL.image]: image };
}
