// Registry credentials from the user's docker config, as the docker CLI finds them
// (docker/cli cli/config/configfile/file.go GetAuthConfig): `$DOCKER_CONFIG/config.json`, else
// `~/.docker/config.json`; a registry's `credHelpers` entry, else the `credsStore`, asked with
// `docker-credential-<name> get`; else its `auths` entry (`auth`: base64 of user:password, or an
// `identitytoken`). Credentials live only in memory, are sent only as X-Registry-Auth headers, and
// never appear in a message, a plan, a label or a state file.
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readUserFile } from '../manifest/user-file.js';
import { DOCKER_HUB_AUTH_KEY } from '../model/image-ref.js';

/** The X-Registry-Auth body (Engine API AuthConfig). */
export interface RegistryAuth {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress: string;
}

export interface CredentialLookup {
  auth?: RegistryAuth;
  /** Why credentials that are configured could not be read (never their value). */
  problem?: string;
}

const HELPER_TIMEOUT_MS = 15_000;
const cache = new Map<string, CredentialLookup>();

export function dockerConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

/** Credentials for `registry` (`docker.io` for Docker Hub), or none; asked once per process. */
export function registryCredentials(registry: string, env: NodeJS.ProcessEnv = process.env): CredentialLookup {
  const file = dockerConfigFile(env);
  const key = `${file}\0${registry}`;
  let found = cache.get(key);
  if (!found) cache.set(key, (found = lookUp(file, registry)));
  return found;
}

function lookUp(file: string, registry: string): CredentialLookup {
  const read = readUserFile(file, { what: 'the docker config', maxBytes: 4 * 1024 * 1024 });
  if (!read.ok) return read.missing ? {} : { problem: read.message };
  let config: DockerConfig;
  try {
    config = JSON.parse(read.bytes.toString('utf8')) as DockerConfig;
  } catch {
    return { problem: `the docker config ${file} is not JSON` };
  }
  const server = registry === 'docker.io' ? DOCKER_HUB_AUTH_KEY : registry;
  const helper = entryFor(config.credHelpers ?? {}, registry) ?? config.credsStore;
  let problem: string | undefined;
  if (helper) {
    const asked = fromHelper(helper, server);
    if (asked.auth) return asked;
    problem = asked.problem;
  }
  const entry = entryFor(config.auths ?? {}, registry);
  if (entry?.identitytoken) return { auth: { identitytoken: entry.identitytoken, serveraddress: server } };
  if (entry?.auth) {
    const plain = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon < 0) return { problem: `the \`auths\` entry for ${registry} in ${file} is not base64 of user:password` };
    return { auth: { username: plain.slice(0, colon), password: plain.slice(colon + 1), serveraddress: server } };
  }
  return problem ? { problem } : {};
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** A config key as the CLI matches it: scheme and path dropped, Docker Hub's spellings as one. */
function entryFor<T>(entries: Record<string, T>, registry: string): T | undefined {
  for (const [k, v] of Object.entries(entries)) {
    const host = k.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
    const normal = host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
    if (normal === registry) return v;
  }
  return undefined;
}

/** The docker credential helper protocol: the server on stdin, `{"Username","Secret"}` on stdout. */
function fromHelper(helper: string, server: string): CredentialLookup {
  const program = `docker-credential-${helper}`;
  try {
    const out = execFileSync(program, ['get'], { input: server, timeout: HELPER_TIMEOUT_MS, stdio: ['pipe', 'pipe', 'pipe'] }).toString('utf8');
    const { Username, Secret } = JSON.parse(out) as { Username?: string; Secret?: string };
    if (!Secret) return {};
    // `<token>` is how helpers hand back an identity token (docker/cli credentials/native_store.go).
    return { auth: Username === '<token>' ? { identitytoken: Secret, serveraddress: server } : { username: Username ?? '', password: Secret, serveraddress: server } };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: Buffer };
    if (e.code === 'ENOENT') return { problem: `the credential helper ${program} named in the docker config is not installed` };
    // "credentials not found in native keychain": nothing stored for this registry.
    if (/not found/i.test(e.stdout?.toString('utf8') ?? '')) return {};
    return { problem: `the credential helper ${program} failed for ${server}` };
  }
}
