// Compose files imported into a manifest: how they merge, extend, interpolate and fail, and a small
// corpus of files written the way people publish them, which must load and plan without an error.
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadManifest, type LoadResult } from '../../src/manifest/index.js';
import { contentOf } from '../../src/manifest/mount-content.js';
import { replicaLabels } from '../../src/reconcile/actions.js';
import { makePlan } from '../../src/plan/index.js';
import { place } from '../../src/sched/index.js';

const CORPUS = join(import.meta.dirname, 'compose-corpus');
const MACHINES = 'name: t\nmachines:\n  mgr: { driver: sim, role: manager, cpus: 4, memory: 8g }\n  w: { driver: sim, role: worker, count: 2, cpus: 4, memory: 8g }\n';

/** A folder with cluster.yml and the given files; returns the loaded manifest. */
function project(files: Record<string, string>, manifestTail: string, opts: { env?: Record<string, string>; profiles?: string[] } = {}): LoadResult {
  const dir = mkdtempSync(join(tmpdir(), 'compose-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'cluster.yml'), MACHINES + manifestTail);
  return loadManifest(join(dir, 'cluster.yml'), { env: opts.env ?? {}, profiles: opts.profiles ?? [] });
}

function ok(r: LoadResult) {
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`).join('\n'));
  return r;
}

const service = (r: LoadResult, name: string) => ok(r).desired.services.find((s) => s.name === name)!;

describe('compose import', () => {
  test('two files merge as compose merges them: ports appended, environment merged, command replaced', () => {
    const r = project(
      {
        'a.yml': 'services:\n  web:\n    image: nginx\n    command: [a]\n    ports: ["80:80"]\n    environment: [A=1, B=1]\n',
        'b.yml': 'services:\n  web:\n    command: [b]\n    ports: ["443:443"]\n    environment: { B: "2", C: "3" }\n',
      },
      'compose: [a.yml, b.yml]\n',
    );
    const web = service(r, 'web');
    expect(web.spec.command).toEqual(['b']);
    expect(web.spec.ports.map((p) => p.published)).toEqual([80, 443]);
    expect(web.spec.environment).toEqual({ A: '1', B: '2', C: '3' });
    expect(web.spec.networks).toEqual([{ network: 't_default', aliases: ['web'] }]);
  });

  test('extends across files; depends_on is not inherited; an extends cycle is an error at the extends', () => {
    const r = project(
      { 'base.yml': 'services:\n  base:\n    image: python\n    environment: { X: "1" }\n    depends_on: [other]\n  other: { image: busybox }\n', 'app.yml': 'services:\n  app:\n    extends: { file: base.yml, service: base }\n    command: [run]\n' },
      'compose: app.yml\n',
    );
    expect(service(r, 'app').spec).toMatchObject({ image: 'python', command: ['run'], environment: { X: '1' } });
    expect(service(r, 'app').dependsOn).toEqual([]);
    const cycle = project({ 'c.yml': 'services:\n  a:\n    image: x\n    extends: b\n  b:\n    image: x\n    extends: a\n' }, 'compose: c.yml\n');
    expect(cycle.ok).toBe(false);
    if (!cycle.ok) expect(cycle.diagnostics[0]).toMatchObject({ line: 4, message: expect.stringMatching(/extends cycle/) });
  });

  test('.env beside the compose file interpolates; ${VAR:?} fails at its line; $$ stays a dollar', () => {
    const files = { '.env': 'TAG=1.25\n', 'c.yml': 'services:\n  web:\n    image: nginx:${TAG}\n    command: [echo, "$$HOME"]\n    environment: ["NEED=${NEEDED:?set NEEDED}"]\n' };
    const r = project(files, 'compose: c.yml\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics).toMatchObject([{ file: expect.stringMatching(/c\.yml$/), line: 5, message: 'required variable NEEDED is not set: set NEEDED' }]);
    const good = project(files, 'compose: c.yml\n', { env: { NEEDED: 'yes' } });
    expect(service(good, 'web').spec).toMatchObject({ image: 'nginx:1.25', command: ['echo', '$HOME'], environment: { NEED: 'yes' } });
  });

  test('profiles: off unless enabled (flag or COMPOSE_PROFILES); depending on a disabled service is an error naming the profile', () => {
    const files = { 'c.yml': 'services:\n  web: { image: nginx }\n  debug: { image: busybox, profiles: [debug] }\n' };
    expect(ok(project(files, 'compose: c.yml\n')).desired.services.map((s) => s.name)).toEqual(['web']);
    expect(ok(project(files, 'compose: c.yml\n', { profiles: ['debug'] })).desired.services.map((s) => s.name)).toEqual(['web', 'debug']);
    expect(ok(project(files, 'compose: c.yml\n', { env: { COMPOSE_PROFILES: 'debug' } })).desired.services.map((s) => s.name)).toEqual(['web', 'debug']);
    const r = project({ 'c.yml': 'services:\n  web:\n    image: nginx\n    depends_on: [debug]\n  debug: { image: busybox, profiles: [debug] }\n' }, 'compose: c.yml\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]).toMatchObject({ line: 4, message: 'service web depends on debug, which is in a profile that is not enabled', hint: expect.stringContaining('debug') });
  });

  test('schema errors point into the compose file: an unknown key with a suggestion, one error for a bad port', () => {
    const r = project({ 'c.yml': 'services:\n  web:\n    imgae: nginx\n' }, 'compose: c.yml\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics).toMatchObject([{ file: expect.stringMatching(/c\.yml$/), line: 3, col: 5, hint: 'did you mean `image`?' }]);
    const port = project({ 'c.yml': 'services:\n  web:\n    image: nginx\n    ports:\n      - { target: 80, publishd: 8080 }\n' }, 'compose: c.yml\n');
    expect(port.ok).toBe(false);
    if (!port.ok) expect(port.diagnostics).toHaveLength(1);
  });

  test('a name used by the manifest and a compose file is an error naming both places', () => {
    const r = project({ 'c.yml': 'services:\n  web: { image: nginx }\n' }, 'compose: c.yml\nservices:\n  web: { image: busybox }\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]).toMatchObject({ line: 7, message: expect.stringMatching(/service web is defined twice: here and in .*c\.yml:2:3/) });
  });

  test('what cluster does not run is warned about by name, at the line that wrote it', () => {
    const r = ok(project({ 'c.yml': 'services:\n  web:\n    image: nginx\n    logging: { driver: json-file }\n    volumes: [./html:/usr/share/nginx/html]\n' }, 'compose: c.yml\n'));
    expect(r.warnings.map((w) => `${w.line}: ${w.message}`)).toEqual([
      '4: `logging` of service web is not supported by cluster yet and is ignored',
      expect.stringMatching(/^5: bind mount .*html is a folder of the machine/),
    ]);
  });
});

describe('compose secrets, configs and env_file', () => {
  test('a file secret becomes a file mount with a content hash; a missing file or env_file is a warning, not an error', () => {
    const files = { 'token.txt': 'abc', 'c.yml': 'services:\n  web:\n    image: nginx\n    secrets: [token, gone]\n    env_file: missing.env\nsecrets:\n  token: { file: ./token.txt }\n  gone: { file: ./gone.txt }\n' };
    const r = ok(project(files, 'compose: c.yml\n'));
    const mounts = service(r, 'web').spec.files!;
    expect(mounts.map((m) => [m.name, m.target, m.sha256.slice(0, 8)])).toEqual([
      ['token', '/run/secrets/token', 'ba7816bf'],
      ['gone', '/run/secrets/gone', 'missing'],
    ]);
    expect(r.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/env_file .*missing\.env does not exist/), expect.stringMatching(/secret gone: file .*gone\.txt does not exist/)]);
  });
});

describe('compose secrets and configs from a variable or inline content', () => {
  const text =
    'services:\n  web:\n    image: nginx\n    secrets: [token, unset]\n    configs: [{ source: motd, target: /etc/motd, mode: 0440 }]\n' +
    'secrets:\n  token: { environment: API_TOKEN }\n  unset: { environment: NOT_SET_ANYWHERE }\nconfigs:\n  motd: { content: "hello from ${GREETER}" }\n';

  test("a variable's value reaches the container but not the desired state, plan or labels; content is the config", () => {
    const value = 'tok-4e9f-do-not-print';
    const r = ok(project({ 'c.yml': text }, 'compose: c.yml\n', { env: { API_TOKEN: value, GREETER: 'ops' } }));
    const web = service(r, 'web');
    const [token, unset, motd] = web.spec.files!;
    expect(token).toMatchObject({ kind: 'secret', name: 'token', target: '/run/secrets/token', env: 'API_TOKEN' });
    expect(contentOf(token!)).toBe(value);
    expect(unset).toMatchObject({ env: 'NOT_SET_ANYWHERE', sha256: 'missing' });
    expect(contentOf(unset!)).toBeUndefined();
    expect(motd).toMatchObject({ kind: 'config', target: '/etc/motd', content: 'hello from ops', mode: 0o440 });
    const observed = { cluster: 't', machines: [] };
    const plan = makePlan(r.desired, observed, place(r.desired, observed));
    expect(JSON.stringify([r.desired, plan, replicaLabels(r.desired, web, 1)])).not.toContain(value);
    expect(r.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/secret unset: variable NOT_SET_ANYWHERE is not set; apply will fail until it is/)]);
  });

  test('a changed value changes the config hash: the container is replaced', () => {
    const hash = (v: string) => service(ok(project({ 'c.yml': text }, 'compose: c.yml\n', { env: { API_TOKEN: v } })), 'web').configHash;
    expect(hash('one')).not.toBe(hash('two'));
    expect(hash('one')).toBe(hash('one'));
  });
});

describe('a corpus of compose files as people write them', () => {
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.yml') && f !== 'extends-base.yml');
  test.each(files)('%s imports and plans without an error', (name) => {
    const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
    cpSync(CORPUS, dir, { recursive: true });
    // Stack files (deploy: sections for the swarm) are imported as swarm-mode services.
    writeFileSync(join(dir, 'cluster.yml'), MACHINES + (name.startsWith('swarm-') ? `compose: { files: [${name}], mode: swarm }\n` : `compose: ${name}\n`));
    const r = ok(loadManifest(join(dir, 'cluster.yml'), { env: {} }));
    expect(r.desired.services.length).toBeGreaterThan(0);
    const observed = { cluster: 't', machines: [] };
    const plan = makePlan(r.desired, observed, place(r.desired, observed));
    expect(plan.unschedulable).toEqual([]);
    const planned = new Set(plan.actions.flatMap((a) => ('service' in a ? [a.service] : [])));
    expect([...planned].sort()).toEqual(r.desired.services.map((s) => s.name).sort());
  });
});
