// examples/github-actions.yml cannot run here: its YAML is read and its properties checked (issue 17
// point 10), and its two github-script steps are run against a stand-in for GitHub's client: the PR
// comment of a 334 KB plan (cut, with a note and a link) and the lookup of the reviewed plan.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../..');
const workflow = parse(readFileSync(join(root, 'examples/github-actions.yml'), 'utf8')) as {
  jobs: Record<string, { steps: { id?: string; uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string> }[] }>;
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; bin: Record<string, string> };
const steps = (job: string) => workflow.jobs[job]!.steps;
const runs = (job: string) => steps(job).flatMap((s) => (s.run ? [s.run] : []));
const script = (job: string, id?: string) => steps(job).find((s) => s.uses?.startsWith('actions/github-script@') && (!id || s.id === id))!;

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;

describe('examples/github-actions.yml', () => {
  test('every job installs this package by its name, which is not npm\'s unrelated `cluster`; the command stays `cluster`', () => {
    expect(pkg.name).not.toBe('cluster');
    expect(Object.keys(pkg.bin)).toEqual(['cluster']);
    for (const job of Object.keys(workflow.jobs)) {
      const install = runs(job).findIndex((r) => r.trim() === `npm install --global ${pkg.name}`);
      const firstUse = runs(job).findIndex((r) => /(^|\n)\s*cluster /.test(r));
      expect(install, job).toBeGreaterThanOrEqual(0);
      expect(install, job).toBeLessThan(firstUse);
    }
    expect(JSON.stringify(workflow)).not.toMatch(/npm install --global cluster(?![-\w])/);
  });

  test('the plan job saves the plan and keeps it with its text in an artifact named after the head commit', () => {
    expect(runs('plan').join('\n')).toMatch(/cluster plan -o saved\.plan --detailed-exitcode > plan\.txt/);
    const upload = steps('plan').find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.with!.name).toBe('cluster-plan-${{ github.event.pull_request.head.sha }}');
    expect(upload.with!.path!.trim().split('\n')).toEqual(['saved.plan', 'plan.txt']);
  });

  test('the apply job applies the reviewed saved plan from that artifact: no re-plan, no --auto-approve', () => {
    const apply = steps('apply');
    const download = apply.findIndex((s) => s.uses?.startsWith('actions/download-artifact@'));
    const applyRun = apply.findIndex((s) => /^cluster apply saved\.plan\b/.test(s.run ?? ''));
    expect(download).toBeGreaterThan(0);
    expect(applyRun).toBeGreaterThan(download);
    expect(apply[download]!.with).toMatchObject({ name: '${{ steps.reviewed.outputs.name }}', 'run-id': '${{ steps.reviewed.outputs.run-id }}' });
    expect(runs('apply').join('\n')).not.toMatch(/--auto-approve|cluster plan/);
    expect(script('apply', 'reviewed').with!.script).toContain('`cluster-plan-${pr.head.sha}`'); // the name the plan job uploads
  });

  test('the lookup finds the merged pull request\'s artifact, and fails rather than apply anything unreviewed', async () => {
    const lookup = async (pulls: unknown[], artifacts: unknown[]) => {
      const outputs: Record<string, unknown> = {};
      let failed: string | undefined;
      const github = {
        rest: {
          repos: { listPullRequestsAssociatedWithCommit: async () => ({ data: pulls }) },
          actions: { listArtifactsForRepo: async ({ name }: { name: string }) => ({ data: { artifacts: (artifacts as { name: string }[]).filter((a) => a.name === name) } }) },
        },
      };
      const core = { setOutput: (k: string, v: unknown) => (outputs[k] = v), setFailed: (m: string) => (failed = m) };
      await new AsyncFunction('github', 'context', 'core', script("apply", "reviewed").with!.script!)(github, { repo: { owner: 'o', repo: 'r' }, sha: 'merge1' }, core);
      return { outputs, failed };
    };
    const pr = { number: 7, merged_at: '2026-11-26T06:00:00Z', head: { sha: 'head7' } };
    const artifact = { name: 'cluster-plan-head7', expired: false, workflow_run: { id: 4242 } };
    expect(await lookup([pr], [artifact])).toEqual({ outputs: { name: 'cluster-plan-head7', 'run-id': 4242 }, failed: undefined });
    expect((await lookup([], [artifact])).failed).toMatch(/merged no pull request/);
    expect((await lookup([pr], [{ ...artifact, expired: true }])).failed).toMatch(/no artifact cluster-plan-head7: re-run the plan job of pull request #7/);
  });

  test('the PR comment: a 334 KB plan is cut at a line under GitHub\'s 65,536 characters, saying so and linking the artifact; a small one is whole', async () => {
    const comment = async (plan: string) => {
      const bodies: string[] = [];
      const github = { rest: { issues: { createComment: async ({ body }: { body: string }) => void bodies.push(body) } } };
      const step = script('plan');
      const env = { ARTIFACT_NAME: 'cluster-plan-head7', ARTIFACT_URL: 'https://example.invalid/artifacts/99' };
      const fakeRequire = (m: string) => (m === 'fs' ? { readFileSync: () => plan } : undefined);
      await new AsyncFunction('require', 'github', 'context', 'process', step.with!.script!)(fakeRequire, github, { repo: {}, issue: { number: 7 } }, { env });
      expect(Object.keys(step.env!)).toEqual(expect.arrayContaining(Object.keys(env)));
      return bodies[0]!;
    };
    const line = (i: number) => `  + container demo-bird-${i} on worker-${i % 200} (image busybox:1.36, reason: missing)\n`;
    let big = '';
    for (let i = 1; big.length < 334_000; i++) big += line(i);
    const cut = await comment(big);
    expect(cut.length).toBeLessThanOrEqual(65_536);
    expect(cut).toContain('The plan was cut');
    expect(cut).toContain(`of ${big.length.toLocaleString('en')} characters`);
    expect(cut).toContain('[cluster-plan-head7](https://example.invalid/artifacts/99)');
    const shown = cut.slice(cut.indexOf('```\n') + 4, cut.lastIndexOf('\n```'));
    expect(big.startsWith(shown)).toBe(true);
    expect(shown.endsWith('\n')).toBe(true); // whole lines only
    const small = 'Plan: 3 to add, 0 to change, 0 to destroy.\n';
    const whole = await comment(small);
    expect(whole).toContain(small);
    expect(whole).not.toContain('cut');
  });
});
