// The manifest loader: what a valid file becomes, and the compose behaviours people rely on.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadManifest } from '../../src/manifest/index.js';
import { maskSpec } from '../../src/plan/sensitive.js';

function load(text: string, env: Record<string, string> = {}, dotEnv?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
  writeFileSync(join(dir, 'cluster.yml'), text);
  if (dotEnv !== undefined) writeFileSync(join(dir, '.env'), dotEnv);
  return loadManifest(join(dir, 'cluster.yml'), { env });
}

const HEAD = 'name: t\nmachines:\n  m:\n    driver: sim\n    cpus: 2\n    memory: 2GiB\n';

describe('loadManifest', () => {
  test('count expands machines; labels, role and sizes are normalised', () => {
    const r = load('name: t\nmachines:\n  mgr: { driver: sim, role: manager, cpus: 1, memory: 512m }\n  w: { driver: sim, role: worker, count: 3, labels: { size: xxl }, cpus: "2", memory: 4g }\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.desired.machines.map((m) => `${m.name}/${m.group}/${m.role}/${m.cpus}/${m.memory}`)).toEqual([
      'mgr/mgr/manager/1/536870912',
      'w-1/w/worker/2/4294967296',
      'w-2/w/worker/2/4294967296',
      'w-3/w/worker/2/4294967296',
    ]);
    expect(r.desired.machines[1]!.labels).toEqual({ size: 'xxl' });
  });

  test('interpolation: environment first, then .env; defaults; $$ escapes', () => {
    const r = load(HEAD + 'services:\n  web:\n    image: ${IMAGE:-busybox}:${TAG}\n    command: echo $${HOME} ${GREETING-hi}\n    scale: ${N}\n', { TAG: 'env-wins' }, 'TAG=from-dotenv\nN=3\n# comment\nexport GREETING="hello there"\n');
    expect(r.ok, JSON.stringify(!r.ok && r.diagnostics)).toBe(true);
    if (!r.ok) return;
    const web = r.desired.services[0]!;
    expect(web.spec.image).toBe('busybox:env-wins');
    expect(web.spec.command).toEqual(['echo', '${HOME}', 'hello', 'there']); // $$ is a literal $: the container's shell expands it
    expect(web.scale).toBe(3);
  });

  test('.env values interpolate from its earlier lines and the environment; single quotes are literal', () => {
    const r = load(HEAD + 'services:\n  web:\n    image: ${REPO}/${IMAGE}\n    command: [echo, "${LITERAL}"]\n', { REGISTRY: 'reg.example:5000' }, "REPO=${REGISTRY}/team\nIMAGE=web:${TAG:-1.0}\nLITERAL='${REPO}'\n");
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.desired.services[0]!.spec.image).toBe('reg.example:5000/team/web:1.0');
    expect(r.desired.services[0]!.spec.command).toEqual(['echo', '${REPO}']);
  });

  test('environment as list or map; constraint:/affinity: entries leave the real environment', () => {
    const list = load(HEAD + 'services:\n  a:\n    image: busybox\n    environment: [A=1, "constraint:size==~xxl", "affinity:image!=redis", B]\n', { B: 'from-env' });
    const map = load(HEAD + 'services:\n  a:\n    image: busybox\n    environment: { A: 1, B: from-env }\n');
    if (!list.ok || !map.ok) throw new Error('expected both to load');
    const a = list.desired.services[0]!;
    expect(a.spec.environment).toEqual({ A: '1', B: 'from-env' });
    expect(map.desired.services[0]!.spec.environment).toEqual({ A: '1', B: 'from-env' });
    expect(a.placement.constraints.map((e) => [e.key, e.op, e.value, e.soft])).toEqual([['size', '==', 'xxl', true]]);
    expect(a.placement.affinities.map((e) => e.text)).toEqual(['image!=redis']);
  });

  test('placement from deploy constraints and a native block; reservations from compose forms', () => {
    const r = load(
      HEAD +
        'services:\n  a:\n    image: busybox\n    deploy:\n      replicas: 4\n      placement: { constraints: ["node.labels.size == xxl", "node.role == manager"] }\n      resources: { reservations: { cpus: "0.5", memory: 256M } }\n  b:\n    image: busybox\n    mem_reservation: 128m\n    cpus: 0.25\n    placement: { constraints: ["zone==eu-*"], affinities: ["container!=*-a-*"] }\n',
    );
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const [a, b] = r.desired.services;
    expect(a!.scale).toBe(4);
    expect(a!.placement.constraints.map((e) => `${e.key}${e.op}${e.value}`)).toEqual(['size==xxl', 'node.role==manager']);
    expect(a!.spec.reservations).toEqual({ cpus: 0.5, memory: 256 * 1024 ** 2 });
    expect(b!.spec.reservations).toEqual({ cpus: 0.25, memory: 128 * 1024 ** 2 });
    expect(b!.placement.affinities.map((e) => e.text)).toEqual(['container!=*-a-*']);
  });

  test('the config hash changes with the spec and only with it', () => {
    const base = HEAD + 'services:\n  a:\n    image: busybox\n    environment: { A: "1", B: "2" }\n';
    const h = (t: string) => {
      const r = load(t);
      if (!r.ok) throw new Error('invalid');
      return r.desired.services[0]!.configHash;
    };
    expect(h(base)).toBe(h(HEAD + 'services:\n  a:\n    environment: { B: "2", A: "1" }\n    image: busybox\n'));
    expect(h(base)).toBe(h(base.replace('image: busybox', 'image: busybox\n    scale: 7')));
    expect(h(base)).not.toBe(h(base.replace('"2"', '"3"')));
  });

  test('links, volumes_from and network_mode make dependencies', () => {
    const r = load(HEAD + 'services:\n  db:\n    image: busybox\n  app:\n    image: busybox\n    links: ["db:database"]\n  side:\n    image: busybox\n    network_mode: "service:app"\n');
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.desired.services.map((s) => `${s.name}<-${s.dependsOn.join(',')}`)).toEqual(['db<-', 'app<-db', 'side<-app']);
  });
});

describe('secrets from the environment', () => {
  test('a secret variable is followed by its value: masked in whatever field interpolation put it, the real spec keeps it', () => {
    const env = { API_TOKEN: 'tok-1234', DB_PASSWORD: 'pw-5678', HOME_DIR: '/h', SOME_SECRET: 'sec-999', LISTED_ONE: 'listed-42' };
    const r = load(HEAD.replace('name: t', 'name: t\nsensitive: [LISTED_ONE]') + 'services:\n  a:\n    image: app:${API_TOKEN}\n    command: echo ${API_TOKEN}\n    labels: { dsn: "pg://u:${LISTED_ONE}@db" }\n    environment:\n      DB_URL: pg://u:${DB_PASSWORD}@db/x\n      PLAIN: ${HOME_DIR}\n  b:\n    image: busybox\n    environment: ["CONN=${SOME_SECRET}x", "OTHER=1"]\n', env);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.warnings).toEqual([]);
    const [a, b] = r.desired.services.map((s) => s.spec);
    expect(a!.environment.DB_URL).toBe('pg://u:pw-5678@db/x'); // the engine gets the real value
    expect(maskSpec(a!)).toMatchObject({ image: 'app:(sensitive)', command: ['echo', '(sensitive)'], labels: { dsn: 'pg://u:(sensitive)@db' }, environment: { DB_URL: 'pg://u:(sensitive)@db/x', PLAIN: '/h' } });
    expect(maskSpec(b!).environment).toEqual({ CONN: '(sensitive)x', OTHER: '1' });
  });

  test('`sensitive:` must list variable names, reported at the entry', () => {
    const r = load(HEAD.replace('name: t', 'name: t\nsensitive: [GOOD, "not a name"]') + 'services: {}\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual(['2:19 sensitive[1] has an invalid value "not a name"']);
    const twice = load(HEAD.replace('name: t', 'name: t\nsensitive: [A_KEY, B, A_KEY]') + 'services: {}\n');
    expect(twice.ok ? [] : twice.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual(['2:23 sensitive has "A_KEY" twice']);
  });
});
