// Images from a real registry with auth, on real Docker-in-Docker machines (issue 15 points 6 and 7).
// The registry is Debian's docker-registry (Distribution 2.8) with htpasswd auth, started by this test
// on the host. Machines reach the host only through their bridge's gateway, over plain HTTP: the
// machine's `engine: insecure-registries` says so, which dockerd takes live on SIGHUP (moby v20.10.24
// daemon/reload.go Daemon.Reload → reloadInsecureRegistries). (A test CA would need a file in each
// machine's /etc/docker/certs.d, which is no part of the manifest; insecure-registries is.)
// Tags are resolved to digests at plan time through a machine's engine (GET /distribution/{name}/json
// with the docker config's credentials, as `docker stack deploy --resolve-image always` does in
// docker/cli cli/command/stack/swarm/deploy_composefile.go), and swarm services get the credentials
// (`--with-registry-auth`: the X-Registry-Auth header on service create, moby
// daemon/cluster/services.go CreateService → PullOptions.RegistryAuth).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from 'tar-fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dockerodeFor } from '../../src/providers/docker/connection.js';
import { clusterAsync } from '../support/cli.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { DOCKER_HOST, IDLE, IDLE_CMD } from './env.js';

const NAME = `reg${process.pid}`;
const host = dockerodeFor(DOCKER_HOST);
const machines = async () => host.listContainers({ all: true, filters: { label: [`io.cluster.name=${NAME}`, 'io.cluster.kind=machine'] } });

/** An image made offline on the host engine (busybox plus a file saying `version`), pushed with the registry's credentials. */
async function push(registry: TestRegistry, repo: string, version: string): Promise<string> {
  const ctx = mkdtempSync(join(tmpdir(), 'cl-image-'));
  writeFileSync(join(ctx, 'version'), `${version}\n`);
  writeFileSync(join(ctx, 'Dockerfile'), `FROM busybox:latest\nCOPY version /version\n${IDLE_CMD}\n`);
  const tag = `127.0.0.1:${registry.port}/${repo}:v1`;
  await follow(await host.buildImage(pack(ctx), { t: tag }));
  const events = await follow(await host.getImage(tag).push({ authconfig: { username: registry.user, password: registry.password, serveraddress: `127.0.0.1:${registry.port}` } }));
  const digest = events.map((e) => (e.aux as { Digest?: string } | undefined)?.Digest).find(Boolean);
  if (!digest) throw new Error(`push of ${tag} gave no digest: ${JSON.stringify(events.slice(-3))}`);
  return digest;
}

async function follow(stream: NodeJS.ReadableStream): Promise<Record<string, unknown>[]> {
  const events = await new Promise<Record<string, unknown>[]>((resolve, reject) => host.modem.followProgress(stream, (err: Error | null, out: Record<string, unknown>[]) => (err ? reject(err) : resolve(out))));
  const failed = events.find((e) => e.error);
  if (failed) throw new Error(String(failed.error));
  return events;
}

describe('images from a registry with auth, engine options (docker driver)', () => {
  let registry: TestRegistry;
  let dir: string;
  let file: string;
  let gateway: string;
  let goodConfig: string;
  const run = (args: string[], dockerConfig = goodConfig) => clusterAsync([...args, '-f', file], { cwd: dir, env: { DOCKER_HOST, DOCKER_CONFIG: dockerConfig }, timeoutMs: 420_000 });
  const nested = () => dockerodeFor(`unix://${join(dir, '.cluster/machines/w1/docker.sock')}`);
  const manifest = (engine: string, services = '') => `name: ${NAME}\nmachines:\n  w1: { driver: docker, role: manager${engine ? `, engine: ${engine}` : ''} }\n${services}`;
  const image = (repo: string) => `${gateway}:${registry.port}/${repo}:v1`;
  const services = () =>
    `services:\n  web:\n    image: ${image('app')}\n    pull_policy: always\n    command: ${IDLE}\n  api:\n    image: ${image('api')}\n    pull_policy: always\n    mode: swarm\n    command: ${IDLE}\n`;
  const configWith = (password: string) => {
    const d = mkdtempSync(join(tmpdir(), 'cl-docker-config-'));
    writeFileSync(join(d, 'config.json'), JSON.stringify({ auths: { [`${gateway}:${registry.port}`]: { auth: Buffer.from(`${registry.user}:${password}`).toString('base64') } } }));
    return d;
  };
  const webContainer = async () => (await nested().listContainers({ all: true, filters: { label: [`io.cluster.service=web`] } }))[0];

  beforeAll(async () => {
    registry = await startRegistry();
    dir = mkdtempSync(join(tmpdir(), 'cl-registry-'));
    mkdirSync(dir, { recursive: true });
    file = join(dir, 'cluster.yml');
    goodConfig = mkdtempSync(join(tmpdir(), 'cl-docker-config-'));
  }, 120_000);

  afterAll(async () => {
    if (dir) await run(['destroy', '--auto-approve']).catch(() => undefined);
    for (const c of await machines()) await host.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    await registry?.stop();
  }, 300_000);

  test('insecure-registries for the gateway is a live reload: the plan says so, the engine shows it, nothing restarts', async () => {
    writeFileSync(file, manifest(''));
    const made = await run(['apply', '--auto-approve']);
    expect(made.code, made.stdout + made.stderr).toBe(0);
    const [machine] = await machines();
    const info = await host.getContainer(machine!.Id).inspect();
    gateway = Object.values(info.NetworkSettings.Networks)[0]!.Gateway;
    expect(gateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    goodConfig = configWith(registry.password);

    writeFileSync(file, manifest(`{ insecure-registries: ['${gateway}:${registry.port}'] }`));
    const plan = await run(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain(`~   machine w1: engine insecure-registries [] → [${gateway}:${registry.port}] (reload)`);
    const applied = await run(['apply', '--auto-approve']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const engineInfo = (await nested().info()) as { RegistryConfig: { IndexConfigs: Record<string, { Secure: boolean }> } };
    expect(engineInfo.RegistryConfig.IndexConfigs[`${gateway}:${registry.port}`]).toMatchObject({ Secure: false });
    expect((await host.getContainer(machine!.Id).inspect()).State.StartedAt).toBe(info.State.StartedAt);
    const again = await run(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
  }, 600_000);

  test('a tag pushed with auth is deployed pinned to its digest, by the machine and by the swarm (credentials forwarded)', async () => {
    const app = await push(registry, 'app', 'one');
    const api = await push(registry, 'api', 'api-one');
    writeFileSync(file, manifest(`{ insecure-registries: ['${gateway}:${registry.port}'] }`, services()));
    const applied = await run(['apply', '--auto-approve']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const web = await webContainer();
    expect(web).toMatchObject({ State: 'running', Image: `${gateway}:${registry.port}/app@${app}` });
    expect(web!.Labels['io.cluster.image-digest']).toBe(app);
    // The api image was never put on the machine by the tool: the swarm's agent pulled it with the forwarded credentials.
    const [task] = await nested().listContainers({ filters: { label: [`com.docker.swarm.service.name=${NAME}_api`] } });
    expect(task?.Image).toBe(`${gateway}:${registry.port}/api@${api}`);
    // No image step for it in the apply; the registry answers nothing without credentials; yet the machine has it by its digest.
    expect(applied.stdout + applied.stderr).not.toMatch(/image \S*\/api[:@]/);
    expect((await nested().getImage(`${gateway}:${registry.port}/api@${api}`).inspect()).RepoDigests).toContain(`${gateway}:${registry.port}/api@${api}`);
    expect(await fetch(`http://127.0.0.1:${registry.port}/v2/api/manifests/${api}`).then((r) => r.status)).toBe(401);
    const again = await run(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    // Credentials are in no output, no state file, no label.
    expect(applied.stdout + applied.stderr + again.stdout).not.toContain(registry.password);
    const files = readdirSync(join(dir, '.cluster'), { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(readFileSync(join(f.parentPath, f.name), 'utf8'), f.name).not.toContain(registry.password);
    expect(JSON.stringify(await nested().listContainers({ all: true }))).not.toContain(registry.password);
  }, 600_000);

  test('the same tag re-pushed with other content: "image digest changed" in the plan, apply redeploys it', async () => {
    const before = await webContainer();
    const app = await push(registry, 'app', 'two');
    const plan = await run(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/-\/\+ web #1 .* \(image digest changed [0-9a-f]{12} → [0-9a-f]{12}\)/);
    expect(plan.stdout).not.toMatch(/api/); // its tag did not move
    const applied = await run(['apply', '--auto-approve']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const after = await webContainer();
    expect(after!.Id).not.toBe(before!.Id);
    expect(after).toMatchObject({ State: 'running', Image: `${gateway}:${registry.port}/app@${app}` });
    const exec = await nested().getContainer(after!.Id).exec({ Cmd: ['cat', '/version'], AttachStdout: true, AttachStderr: true });
    const out = await new Promise<string>((resolve, reject) =>
      exec.start({}, (err, stream) => {
        if (err || !stream) return reject(err);
        let text = '';
        stream.on('data', (d: Buffer) => (text += d.toString('utf8')));
        stream.on('end', () => resolve(text));
      }),
    );
    expect(out).toContain('two');
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);
  }, 600_000);

  test('an option dockerd reads only at start restarts the engine: the plan says so, containers and the swarm node come back', async () => {
    writeFileSync(file, manifest(`{ insecure-registries: ['${gateway}:${registry.port}'], log-opts: { max-size: 5m } }`, services()));
    const plan = await run(['plan', '--detailed-exitcode']);
    expect(plan.stdout).toContain('~   machine w1: engine log-opts {} → {max-size: 5m} (restart: its containers stop and start again)');
    const [machine] = await machines();
    const started = (await host.getContainer(machine!.Id).inspect()).State.StartedAt;
    const applied = await run(['apply', '--auto-approve']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect((await host.getContainer(machine!.Id).inspect()).State.StartedAt).not.toBe(started);
    expect((await nested().info()) as { Swarm: { LocalNodeState: string; ControlAvailable: boolean } }).toMatchObject({ Swarm: { LocalNodeState: 'active', ControlAvailable: true } });
    expect((await webContainer())?.State).toBe('running'); // no restart policy: started again by the apply
    const after = await run(['plan', '--detailed-exitcode']);
    expect(after.code, after.stdout + after.stderr).toBe(0);
  }, 600_000);
  test('wrong credentials: the plan warns and replaces nothing; a pull fails with a clear error naming the registry, no secret shown', async () => {
    const bad = configWith('not-the-password');
    await push(registry, 'app', 'three');
    const plan = await run(['plan', '--detailed-exitcode'], bad);
    expect(plan.stdout + plan.stderr).toMatch(/digest could not be resolved, so its replicas are kept as they are: .*(unauthorized|authentication required)/i);
    expect(plan.stdout).not.toContain('-/+');
    await push(registry, 'other', 'one');
    writeFileSync(file, manifest(`{ insecure-registries: ['${gateway}:${registry.port}'] }`, `${services()}  other:\n    image: ${image('other')}\n    command: ${IDLE}\n`));
    const applied = await run(['apply', '--auto-approve'], bad);
    expect(applied.code).toBe(1);
    expect(applied.stdout + applied.stderr).toMatch(new RegExp(`the registry ${gateway.replace(/\./g, '\\.')}:${registry.port} refused the credentials from the docker config`));
    expect(applied.stdout + applied.stderr).not.toMatch(/not-the-password|\n\s+at .*\.js:\d+/);
  }, 600_000);

  test('pull_policy never: a missing image is not pulled (not even asked for), the apply says why', async () => {
    await push(registry, 'kept', 'one');
    writeFileSync(file, manifest(`{ insecure-registries: ['${gateway}:${registry.port}'] }`, `${services()}  kept:\n    image: ${image('kept')}\n    pull_policy: never\n    command: ${IDLE}\n`));
    const before = registry.log().split('\n').filter((l) => l.includes('/v2/kept/') && !l.includes('127.0.0.1')).length;
    const applied = await run(['apply', '--auto-approve']);
    expect(applied.code).toBe(1);
    expect(applied.stdout + applied.stderr).toContain(`image ${image('kept')} is not on`);
    expect(applied.stdout + applied.stderr).toContain('cannot be pulled (pull_policy never)');
    expect(registry.log().split('\n').filter((l) => l.includes('/v2/kept/') && !l.includes('127.0.0.1')).length).toBe(before);
  }, 600_000);
});
