// One interpolation for cluster.yml, compose files, .env and env_file, read as compose-go's
// template.Substitute reads a value (template/template.go: DefaultPattern, DefaultReplacementAppliedFunc,
// getFirstBraceClosingIndex, withDefaultWhenAbsence / withDefaultWhenPresence / withRequired).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadCompose } from '../../src/compose/index.js';
import { substitute } from '../../src/manifest/interpolate.js';
import { loadManifest } from '../../src/manifest/index.js';

const ENV = { A: 'a', B: 'b', EMPTY: '' };

function run(text: string, env: Record<string, string> = ENV) {
  const problems: string[] = [];
  const value = substitute(text, env, (severity, message, _hint, at) => problems.push(`${severity}@${at}: ${message}`));
  return { value, problems };
}
const value = (text: string) => {
  const r = run(text);
  expect(r.problems.filter((p) => p.startsWith('error'))).toEqual([]);
  return r.value;
};

describe('substitute follows compose-go template.go', () => {
  test('$$ is a dollar; $NAME and ${NAME}; a $ before anything else is text', () => {
    expect(['$$', '$$A', '$$$A', '${A}', '$A', '$A-x', 'x${A}y$B', 'cost $1 or $-', 'end $'].map(value)).toEqual(['$', '$A', '$a', 'a', 'a', 'a-x', 'xayb', 'cost $1 or $-', 'end $']);
  });

  test('defaults: :- when unset or empty, - when unset only', () => {
    expect(['${EMPTY:-d}', '${EMPTY-d}', '${UNSET-d}', '${UNSET:-d}', '${A:-d}', '${UNSET-x:-y}', '${UNSET:-}'].map(value)).toEqual(['d', '', 'd', 'd', 'a', 'x:-y', '']);
  });

  test('alternatives: :+ when set and not empty, + when set', () => {
    expect(['${A:+alt}', '${EMPTY:+alt}', '${EMPTY+alt}', '${UNSET+alt}', '${UNSET:+alt}'].map(value)).toEqual(['alt', '', 'alt', '', '']);
  });

  test('nested defaults to any depth, each used only when needed', () => {
    expect(['${UNSET:-${B:-x}}', '${UNSET:-${U2:-${U3:-deep}}}', '${A:-${UNSET:?never checked}}', '${A:+${B}-${UNSET:-z}}'].map(value)).toEqual(['b', 'deep', 'a', 'b-z']);
  });

  test('a braced variable ends at its own brace: what follows on the line is substituted after it', () => {
    expect(['${UNSET:-x} and ${A}', '${UNSET:-a}}', '${UNSET:-{}}', 'pre-${UNSET:-${B}}-post'].map(value)).toEqual(['x and a', 'a}', '{}', 'pre-b-post']);
  });

  test('required: :? refuses unset or empty, ? only unset; the message is itself substituted', () => {
    expect(run('${A:?err}').value).toBe('a');
    expect(run('${EMPTY?err}')).toEqual({ value: '', problems: [] });
    expect(run('x${EMPTY:?err}').problems).toEqual(['error@1: required variable EMPTY is empty: err']);
    expect(run('${UNSET?need ${B}}').problems).toEqual(['error@0: required variable UNSET is not set: need b']);
    expect(run('${UNSET:-${U2:?inner}}').problems).toEqual(['error@9: required variable U2 is not set: inner']);
  });

  test('malformed ${ is an error at the ${', () => {
    for (const [text, at] of [['${', 0], ['a ${A', 2], ['${1}', 0], ['${A B}', 0], ['${A:x}', 0], ['${}', 0], ['ok ${A} ${UNSET:-x\n}', 8]] as const) {
      expect(run(text).problems.map((p) => p.split(':')[0])).toEqual([`error@${at}`]);
    }
  });

  test('an unset variable without a default is a warning and becomes empty', () => {
    expect(run('v${NOPE}')).toEqual({ value: 'v', problems: ['warning@1: variable NOPE is not set: using an empty string'] });
  });
});

describe('cluster.yml and compose files interpolate alike', () => {
  const values = ['${UNSET:-${B:-x}}', '${UNSET:-${U2:-${U3:-deep}}}', '$$HOME', '${A:+alt}', '${EMPTY-d}', '$A-${UNSET+x}', '${UNSET:-a}}'];
  const labels = values.map((v, i) => `      l${i}: '${v}'\n`).join('');
  const expected = Object.fromEntries(['b', 'deep', '$HOME', 'alt', '', 'a-', 'a}'].map((v, i) => [`l${i}`, v]));

  test('the same labels read the same from both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'interp-'));
    writeFileSync(join(dir, 'cluster.yml'), `name: t\nmachines:\n  m: { driver: sim }\nservices:\n  web:\n    image: nginx\n    labels:\n${labels}`);
    writeFileSync(join(dir, 'compose.yml'), `services:\n  web:\n    image: nginx\n    labels:\n${labels}`);
    const manifest = loadManifest(join(dir, 'cluster.yml'), { env: ENV });
    const compose = loadCompose([join(dir, 'compose.yml')], { env: ENV });
    if (!manifest.ok || !compose.ok) throw new Error('expected both to load');
    expect(manifest.desired.services[0]!.spec.labels).toEqual(expected);
    expect(compose.project.services[0]!.raw.labels).toEqual(expected);
  });

  test('a malformed ${ is an error at its line:col in both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'interp-'));
    writeFileSync(join(dir, 'cluster.yml'), 'name: t\nmachines:\n  m: { driver: sim }\nservices:\n  web:\n    image: "nginx:${TAG"\n');
    writeFileSync(join(dir, 'compose.yml'), 'services:\n  web:\n    image: nginx:${TAG:x}\n');
    const manifest = loadManifest(join(dir, 'cluster.yml'), { env: {} });
    const compose = loadCompose([join(dir, 'compose.yml')], { env: {} });
    expect(manifest.ok ? [] : manifest.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual(['6:19 invalid interpolation: "${TAG"']);
    expect(compose.ok ? [] : compose.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual(['3:18 invalid interpolation: "${TAG:x}"']);
  });
});

describe('.env is substituted by the same rules (compose-go dotenv expandVariables → template.Substitute)', () => {
  test('a missing required variable or a malformed ${ in .env is an error naming the line, not an empty value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'interp-'));
    writeFileSync(join(dir, 'cluster.yml'), 'name: t\nmachines:\n  m: { driver: sim }\nservices:\n  web:\n    image: "nginx:${TAG}"\n');
    writeFileSync(join(dir, '.env'), 'A=1\nTAG=${NOPE:?set NOPE}\nB=${\n');
    const r = loadManifest(join(dir, 'cluster.yml'), { env: {} });
    expect(r.ok ? [] : r.diagnostics.map((d) => d.message.replace(dir, '.'))).toEqual([
      'the env file ./.env, line 2: required variable NOPE is not set: set NOPE',
      'the env file ./.env, line 3: invalid interpolation: "${"',
    ]);
  });

  test('nested defaults in .env', () => {
    const dir = mkdtempSync(join(tmpdir(), 'interp-'));
    writeFileSync(join(dir, 'cluster.yml'), 'name: t\nmachines:\n  m: { driver: sim }\nservices:\n  web:\n    image: "nginx:${TAG}"\n');
    writeFileSync(join(dir, '.env'), 'TAG=${T1:-${T2:-1.27}}\n');
    const r = loadManifest(join(dir, 'cluster.yml'), { env: {} });
    expect(r.ok && r.desired.services[0]!.spec.image).toBe('nginx:1.27');
  });
});
