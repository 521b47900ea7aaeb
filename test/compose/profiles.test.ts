// Profiles: which services are enabled, and what an enabled service may depend on.
import { describe, expect, test } from 'vitest';
import { failed, fixture, loaded, service, where } from './support.js';

const names = (r: ReturnType<typeof loaded>) => r.project.services.map((s) => s.name);

describe('profiles', () => {
  const file = fixture('profiles', 'compose.yml');

  test('services with profiles are off unless one of their profiles is enabled', () => {
    expect(names(loaded([file]))).toEqual(['web']);
    expect(names(loaded([file], { profiles: ['debug'] }))).toEqual(['web', 'debug']);
    expect(names(loaded([file], { profiles: ['all'] }))).toEqual(['web', 'metrics']);
  });

  test('COMPOSE_PROFILES (comma-separated) adds to the given profiles; * enables all', () => {
    expect(names(loaded([file], { env: { COMPOSE_PROFILES: 'monitoring, debug' } }))).toEqual(['web', 'debug', 'metrics']);
    expect(names(loaded([file], { env: { COMPOSE_PROFILES: 'monitoring' }, profiles: ['debug'] }))).toEqual(['web', 'debug', 'metrics']);
    expect(names(loaded([file], { profiles: ['*'] }))).toEqual(['web', 'debug', 'metrics']);
  });

  test('COMPOSE_PROFILES may come from .env', () => {
    expect(names(loaded([fixture('profiles-dotenv', 'compose.yml')]))).toEqual(['web', 'debug']);
  });

  test('each service carries its profiles', () => {
    expect(service(loaded([file], { profiles: ['*'] }).project, 'metrics').profiles).toEqual(['monitoring', 'all']);
  });

  test('depending on a service whose profile is off is an error at that depends_on entry, naming the profile', () => {
    const diagnostics = failed([fixture('profiles', 'depends.yml')]);
    expect(diagnostics.map(where)).toEqual(['profiles/depends.yml:10:7 service web depends on metrics, which is in a profile that is not enabled']);
    expect(diagnostics[0]!.hint).toContain('monitoring');
  });

  test('with several files, the error is in the last file that wrote the entry', () => {
    const depends = fixture('profiles', 'depends.yml');
    expect(failed([depends, fixture('profiles', 'override-image.yml')]).map(where)).toEqual(['profiles/depends.yml:10:7 service web depends on metrics, which is in a profile that is not enabled']);
    expect(failed([depends, fixture('profiles', 'override-depends.yml')]).map(where)).toEqual(['profiles/override-depends.yml:4:7 service web depends on metrics, which is in a profile that is not enabled']);
  });

  test('the list form points at the list item', () => {
    expect(failed([fixture('profiles', 'depends-list.yml')]).map(where)).toEqual(['profiles/depends-list.yml:6:9 service web depends on debug, which is in a profile that is not enabled']);
  });

  test('an optional dependency (required: false) on a disabled service is dropped with a warning', () => {
    const r = loaded([fixture('profiles', 'depends.yml')], { profiles: ['monitoring'] });
    expect(Object.keys(service(r.project, 'web').raw.depends_on as object)).toEqual(['cache', 'metrics']);
    expect(r.warnings.map(where)).toEqual(['profiles/depends.yml:7:7 service web: optional dependency debug is not enabled; started without it']);
  });

  test('enabling the profile makes the dependency fine', () => {
    const r = loaded([fixture('profiles', 'depends.yml')], { profiles: ['monitoring', 'debug'] });
    expect(names(r)).toEqual(['web', 'cache', 'debug', 'metrics']);
    expect(r.warnings).toEqual([]);
  });
});
