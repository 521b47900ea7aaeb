// pull_policy always: a tag resolved to its registry digest when observing enters what decides a
// replacement, for the services that ask for it only; a failed resolution is a warning, never a
// replacement. (Swarm's own rule for the same: `docker stack deploy --resolve-image always` pins a
// service's image to tag@digest, docker/cli cli/command/stack/swarm/deploy_composefile.go.)
import { describe, expect, test } from 'vitest';
import { LABEL, type Observed } from '../../src/model/observed.js';
import { makePlan } from '../../src/plan/index.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import { swarmDefinitionHash } from '../../src/plan/swarm-services.js';
import { place } from '../../src/sched/index.js';
import { desired, machine, owned, running, service, spec } from '../support/build.js';
import { loadText } from '../support/manifest.js';

const IMAGE = '10.200.1.1:5000/app:v1';
const OLD = `sha256:${'a'.repeat(64)}`;
const NEW = `sha256:${'b'.repeat(64)}`;
const app = (over = {}) => service('app', { scale: 2, pullPolicy: 'always', spec: spec({ image: IMAGE }), ...over });
const other = service('other', { spec: spec({ image: IMAGE }) });
const replica = (svc: string, n: number, digest?: string) => owned(svc, n, `hash-${svc}`, { image: IMAGE, ...(digest ? { labels: { ...owned(svc, n).labels, [LABEL.imageDigest]: digest } } : {}) });
const cluster = (digests: Observed['imageDigests'], containers = [replica('app', 1, OLD), replica('app', 2, OLD), replica('other', 1)]): Observed => ({
  cluster: 'demo',
  machines: [running('m1', { containers, images: [{ id: 'sha256:img', tags: [IMAGE], digests: [`10.200.1.1:5000/app@${OLD}`] }] })],
  ...(digests ? { imageDigests: digests } : {}),
});
const planOf = (d: ReturnType<typeof desired>, o: Observed) => makePlan(d, o, place(d, o));

describe('pull_policy always in the plan', () => {
  test('a re-pushed tag replaces the replicas of the services that resolve it, pinned to the new digest', () => {
    const plan = planOf(desired([machine('m1')], [app(), other]), cluster({ [IMAGE]: { digest: NEW } }));
    const replaced = plan.actions.filter((a) => a.kind === 'container.replace');
    expect(replaced.map((a) => [a.kind === 'container.replace' && a.service, a.cause, a.reason])).toEqual([
      ['app', 'digest-changed', 'image digest changed aaaaaaaaaaaa → bbbbbbbbbbbb'],
      ['app', 'digest-changed', 'image digest changed aaaaaaaaaaaa → bbbbbbbbbbbb'],
    ]);
    // The machine lacks the new content: it is fetched by digest, before the replicas.
    const ensure = plan.actions.find((a) => a.kind === 'image.ensure')!;
    expect(ensure).toMatchObject({ image: `10.200.1.1:5000/app@${NEW}`, reason: 'image digest missing on machine' });
    for (const r of replaced) expect(r.after).toContain(ensure.id);
    expect(renderPlanText(plan)).toContain('image digest changed');
  });

  test('the same digest, or a container whose digest is unknown, plans nothing', () => {
    expect(planOf(desired([machine('m1')], [app(), other]), cluster({ [IMAGE]: { digest: OLD } })).actions).toEqual([]);
    // No label: the digest comes from its image's RepoDigests; none there either: nothing is claimed.
    const unlabelled = [owned('app', 1, 'hash-app', { image: IMAGE, imageDigests: [`10.200.1.1:5000/app@${OLD}`] }), owned('app', 2, 'hash-app', { image: IMAGE })];
    const plan = planOf(desired([machine('m1')], [app()]), cluster({ [IMAGE]: { digest: NEW } }, unlabelled));
    expect(plan.actions.filter((a) => a.kind === 'container.replace').map((a) => a.kind === 'container.replace' && a.replica)).toEqual([1]);
  });

  test('a resolution that failed is a warning naming the image and the services, and replaces nothing', () => {
    const plan = planOf(desired([machine('m1')], [app(), other]), cluster({ [IMAGE]: { error: 'unauthorized: authentication required' } }));
    expect(plan.actions).toEqual([]);
    expect(plan.warnings).toEqual([`image ${IMAGE} (pull_policy always, app): its digest could not be resolved, so its replicas are kept as they are: unauthorized: authentication required`]);
  });

  test('without pull_policy always the digest is not looked at (missing: pulled only when absent)', () => {
    const plan = planOf(desired([machine('m1')], [app({ pullPolicy: undefined }), other]), cluster({ [IMAGE]: { digest: NEW } }));
    expect(plan.actions).toEqual([]);
  });

  test('a swarm-mode service whose tag moved is updated (the swarm rolls it) with the reason', () => {
    const swarmApp = service('app', { mode: 'swarm', pullPolicy: 'always', spec: spec({ image: IMAGE }), swarm: { mode: 'replicated', constraints: [] } as never });
    const d = desired([machine('m1', { role: 'manager' })], [swarmApp]);
    const o = cluster({ [IMAGE]: { digest: NEW } }, []);
    const labels: Record<string, string> = { [LABEL.cluster]: 'demo', [LABEL.service]: 'app', [LABEL.imageDigest]: OLD };
    const withService: Observed = { ...o, machines: [{ ...o.machines[0]!, engine: { ...o.machines[0]!.engine!, swarm: { state: 'active', role: 'manager', nodeId: 'n1', nodes: [] } as never, swarmServices: [{ id: 's1', name: 'demo_app', labels } as never] } }] };
    // The definition hash is the service's own: only the digest differs.
    labels[LABEL.configHash] = swarmDefinitionHash(swarmApp);
    const update = planOf(d, withService).actions.find((a) => a.kind === 'service.update');
    expect(update).toMatchObject({ cause: 'digest-changed', reason: 'image digest changed aaaaaaaaaaaa → bbbbbbbbbbbb' });
  });
});

describe('pull_policy in the manifest', () => {
  const withPolicy = (policy: string, extra = '') => loadText(`name: demo\nmachines:\n  m1: {}\nservices:\n  app:\n    image: busybox\n${extra}    pull_policy: ${policy}\n`);

  test('compose values: always, never, build (with build:), missing and if_not_present (the default)', () => {
    const policy = (p: string, extra = '') => {
      const r = withPolicy(p, extra);
      if (!r.ok) throw new Error(r.diagnostics[0]!.message);
      return r.desired.services[0]!.pullPolicy;
    };
    expect(policy('always')).toBe('always');
    expect(policy('never')).toBe('never');
    expect(policy('missing')).toBeUndefined();
    expect(policy('if_not_present')).toBeUndefined();
    expect(policy('build', '    build: .\n')).toBe('build');
  });

  test('daily, weekly and every_<duration> are read as always and said so at the line', () => {
    for (const p of ['daily', 'weekly', 'every_12h']) {
      const r = withPolicy(p);
      expect(r.ok && r.desired.services[0]!.pullPolicy).toBe('always');
      expect(r.ok && r.warnings[0]).toMatchObject({ line: 7, message: expect.stringContaining(`pull_policy ${p}`) });
    }
  });

  test('an unknown value, and build without build:, are errors at the value', () => {
    const typo = withPolicy('allways');
    expect(!typo.ok && typo.diagnostics[0]).toMatchObject({ line: 7, message: 'invalid pull_policy "allways"', hint: 'did you mean `always`?' });
    const build = withPolicy('build');
    expect(!build.ok && build.diagnostics[0]).toMatchObject({ line: 7, message: expect.stringContaining('needs a `build:` section') });
  });
});
