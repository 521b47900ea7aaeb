// A secret is followed by its value: masked in every field interpolation put it in, in the plan and
// in the labels apply records, while the engine still gets it; a rotation shows where, never what.
import { describe, expect, test } from 'vitest';
import { sha256OfJson } from '../../src/manifest/hash.js';
import { LABEL } from '../../src/model/observed.js';
import { maskText, rememberSecret } from '../../src/model/secrets.js';
import { makePlan } from '../../src/plan/index.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import { maskedView } from '../../src/plan/sensitive.js';
import { swarmDefinition, swarmDefinitionDigests, swarmDefinitionHash } from '../../src/plan/swarm-services.js';
import { replicaLabels } from '../../src/reconcile/actions.js';
import { place } from '../../src/sched/index.js';
import { desired, machine, owned, running, service, spec } from '../support/build.js';

const OLD = 'old-pw-31337';
const NEW = 'new-pw-42424';
const TOKEN = 'tok-777-abc';
rememberSecret(OLD);
rememberSecret(NEW);
rememberSecret(TOKEN);

const dbSpec = (pw: string) =>
  spec({
    image: `registry.local/app:${TOKEN}`,
    command: ['sh', '-c', `connect --password=${pw}`],
    labels: { dsn: `postgres://app:${pw}@db/app`, team: 'core' },
    environment: { DSN: `postgres://app:${pw}@db/app`, MODE: 'prod' },
    healthcheck: { test: ['CMD', 'check', pw] },
  });
const dbService = (pw: string) => service('db', { spec: dbSpec(pw), configHash: sha256OfJson(dbSpec(pw)) });

describe('masking follows the value', () => {
  test('only the secret part of each field is masked; the real spec is untouched', () => {
    const real = dbSpec(OLD);
    const { spec: shown, digests } = maskedView(real);
    expect(shown.labels).toEqual({ dsn: 'postgres://app:(sensitive)@db/app', team: 'core' });
    expect(shown.command).toEqual(['sh', '-c', 'connect --password=(sensitive)']);
    expect(shown.image).toBe('registry.local/app:(sensitive)');
    expect(shown.environment).toEqual({ DSN: 'postgres://app:(sensitive)@db/app', MODE: 'prod' });
    expect(shown.healthcheck!.test).toEqual(['CMD', 'check', '(sensitive)']);
    expect(Object.keys(digests).sort()).toEqual(['/command/2', '/environment/DSN', '/healthcheck/test/2', '/image', '/labels/dsn']);
    expect(JSON.stringify(digests)).not.toContain(OLD);
    expect(real.environment.DSN).toContain(OLD);
  });

  test('the labels apply records carry the masked spec and digests, the config hash still tells old from new', () => {
    const d = desired([machine('m1')], [dbService(OLD)]);
    const labels = replicaLabels(d, d.services[0]!, 1);
    expect(JSON.stringify(labels)).not.toContain(OLD);
    expect(JSON.stringify(labels)).not.toContain(TOKEN);
    expect(labels.dsn).toBe('postgres://app:(sensitive)@db/app');
    const rotated = desired([machine('m1')], [dbService(NEW)]);
    expect(replicaLabels(rotated, rotated.services[0]!, 1)[LABEL.configHash]).not.toBe(labels[LABEL.configHash]);
    expect(replicaLabels(rotated, rotated.services[0]!, 1)[LABEL.sensitive]).not.toBe(labels[LABEL.sensitive]);
  });

  test('a rotation replaces the container and shows "(sensitive value changed)" at each field, never a value', () => {
    const before = desired([machine('m1')], [dbService(OLD)]);
    const container = owned('db', 1, before.services[0]!.configHash, { labels: replicaLabels(before, before.services[0]!, 1) });
    const observed = { cluster: 'demo', machines: [running('m1', { images: [{ id: 'i', tags: [`registry.local/app:${TOKEN}`] }], containers: [container] })] };
    expect(makePlan(before, observed, place(before, observed)).actions).toEqual([]);

    const after = desired([machine('m1')], [dbService(NEW)]);
    const plan = makePlan(after, observed, place(after, observed));
    expect(plan.actions.map((a) => a.kind)).toEqual(['container.replace']);
    const text = renderPlanText(plan);
    expect(text).toContain('~ labels.dsn: (sensitive value changed)');
    expect(text).toContain('~ command.2: (sensitive value changed)');
    expect(text).toContain('~ environment.DSN: (sensitive value changed)');
    expect(text).not.toContain('image'); // the token did not change
    for (const s of [OLD, NEW, TOKEN]) expect(text + JSON.stringify(plan)).not.toContain(s);
  });

  test('an image tag from a secret is masked in the plan, object names are not (the executor acts on them)', () => {
    rememberSecret('web'); // a password that happens to equal a service name
    const d = desired([machine('m1')], [service('web', { spec: spec({ image: `app:${TOKEN}` }) })]);
    const observed = { cluster: 'demo', machines: [running('m1')] };
    const plan = makePlan(d, observed, place(d, observed));
    const ensure = plan.actions.find((a) => a.kind === 'image.ensure')!;
    const create = plan.actions.find((a) => a.kind === 'container.create')!;
    expect(ensure).toMatchObject({ image: 'app:(sensitive)', id: 'image.ensure:m1:app:(sensitive)' });
    expect(create).toMatchObject({ service: 'web', name: 'demo-web-1' });
    expect(create.after).toContain(ensure.id);
    expect(maskText('web')).toBe('(sensitive)');
  });

  test('two images that differ only in a secret keep distinct step ids; a short secret inside a machine name does not mask it', () => {
    rememberSecret('1'); // e.g. PIN=1: it is also part of the machine name m1
    const d = desired([machine('m1')], [service('a', { spec: spec({ image: `app:${OLD}` }) }), service('b', { spec: spec({ image: `app:${NEW}` }) })]);
    const observed = { cluster: 'demo', machines: [running('m1')] };
    const plan = makePlan(d, observed, place(d, observed));
    const ids = plan.actions.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length); // a repeated id would never let the walk end
    const ensures = plan.actions.filter((a) => a.kind === 'image.ensure');
    expect(ensures.map((a) => a.id)).toEqual(['image.ensure:m1:app:(sensitive)', 'image.ensure:m1:app:(sensitive)#2']);
    for (const c of plan.actions.filter((a) => a.kind === 'container.create')) expect(c.after.some((x) => ensures.some((e) => e.id === x))).toBe(true);
  });

  test('a swarm-mode service: its labels hold the masked definition, a rotation is an update naming the field', () => {
    const api = (pw: string) => service('api', { mode: 'swarm', swarm: { mode: 'replicated', constraints: [], spread: [] }, spec: spec({ environment: { DSN: `pg://u:${pw}@db` } }) });
    const before = desired([machine('mgr', { role: 'manager' })], [api(OLD)]);
    const labels = {
      [LABEL.cluster]: 'demo',
      [LABEL.service]: 'api',
      [LABEL.configHash]: swarmDefinitionHash(before.services[0]!),
      [LABEL.spec]: JSON.stringify(swarmDefinition(before.services[0]!, before)),
      [LABEL.sensitive]: JSON.stringify(swarmDefinitionDigests(before.services[0]!, before)),
    };
    expect(JSON.stringify(labels)).not.toContain(OLD);
    const swarm = { state: 'active' as const, role: 'manager' as const, nodeId: 'n1', clusterId: 'c' };
    const observed = { cluster: 'demo', machines: [running('mgr', { images: [{ id: 'i', tags: ['busybox:latest'] }], swarm, swarmServices: [{ id: 's1', name: 'demo_api', labels }] })] };
    const after = desired([machine('mgr', { role: 'manager' })], [api(NEW)]);
    const update = makePlan(after, observed, place(after, observed)).actions.find((a) => a.kind === 'service.update');
    expect(update).toMatchObject({ patch: [{ op: 'replace', path: '/spec/environment/DSN', value: '(sensitive value changed)' }] });
  });
});
