// Validation against the compose-spec schema (plus what the spec gained since 2021): one diagnostic
// per problem, at its place, with a hint.
import { describe, expect, test } from 'vitest';
import { loadCompose } from '../../src/compose/index.js';
import { failed, fixture, loaded, service, where } from './support.js';

describe('compose-spec schema', () => {
  test('an unknown service key suggests the right one, at the key', () => {
    const diagnostics = failed([fixture('schema', 'typo.yml')]);
    expect(diagnostics.map(where)).toEqual(['schema/typo.yml:3:5 unknown key `imgae` in services.web']);
    expect(diagnostics[0]!.hint).toBe('did you mean `image`?');
  });

  test('a bad ports entry is one diagnostic, at that entry', () => {
    const diagnostics = failed([fixture('schema', 'bad-port.yml')]);
    expect(diagnostics.map(where)).toEqual(['schema/bad-port.yml:7:9 unknown key `publishd` in services.web.ports[1]']);
    expect(diagnostics[0]!.hint).toBe('did you mean `published`?');
  });

  test('keys the spec gained since 2021 validate', () => {
    const { project } = loaded([fixture('schema', 'current.yml')]);
    expect(project.name).toBe('modern');
    expect(service(project, 'app').raw.depends_on).toEqual({ db: { condition: 'service_healthy', restart: true, required: true } });
    expect(project.secrets.map((s) => s.raw)).toEqual([{ environment: 'API_TOKEN' }]);
  });

  test('`version` is obsolete: a warning at the key, as docker compose gives', () => {
    expect(loaded([fixture('schema', 'version.yml')]).warnings.map(where)).toEqual(['schema/version.yml:1:1 the attribute `version` is obsolete and ignored']);
  });

  test('errors of every file are reported, each in its own file', () => {
    const diagnostics = failed([fixture('schema', 'typo.yml'), fixture('schema', 'bad-port.yml')]);
    expect(diagnostics.map((d) => d.file)).toEqual([fixture('schema', 'typo.yml'), fixture('schema', 'bad-port.yml')]);
  });

  test('a missing or empty file is named as a compose file, and still watched', () => {
    const missing = fixture('schema', 'nope.yml');
    const r = loadCompose([missing], { env: {} });
    expect(r).toMatchObject({ ok: false, diagnostics: [{ file: missing, message: `compose file not found: ${missing}` }] });
    expect(r.files).toContain(missing);
    expect(failed([fixture('schema', 'empty.yml')]).map(where)).toEqual(['schema/empty.yml:1:1 the compose file is empty']);
  });
});
