// env_file: read into `environment` under what the service sets itself; missing files reported at the entry.
import { describe, expect, test } from 'vitest';
import { fixture, loaded, service, where } from './support.js';

describe('env_file', () => {
  const file = fixture('env-file', 'compose.yml');

  test('its variables fill environment; explicit environment wins; env_file itself is gone', () => {
    const app = service(loaded([file]).project, 'app').raw;
    expect(app.environment).toEqual({
      NODE_ENV: 'production', DB_HOST: 'db', DB_PORT: '5432', GREETING: 'hello world', API_KEY: null,
      DB_URL: 'postgres://db:5432/app', LITERAL: '${DB_HOST}', QUOTED: 'at db', FROM_SHELL: '',
    });
    expect(app.env_file).toBeUndefined();
  });

  test('values interpolate from earlier lines and from the environment compose runs in, which wins', () => {
    const app = service(loaded([file], { env: { REGION: 'eu-1', DB_NAME: 'shop' } }).project, 'app').raw;
    expect(app.environment).toMatchObject({ DB_URL: 'postgres://db:5432/shop', FROM_SHELL: 'eu-1' });
  });

  test('an entry without a value takes it from the environment compose runs in', () => {
    expect(service(loaded([file], { env: { API_KEY: 'abc' } }).project, 'app').raw.environment).toMatchObject({ API_KEY: 'abc' });
  });

  test('every env_file is watched, present or not', () => {
    const { files } = loaded([file]);
    for (const name of ['config/app.env', 'config/local.env', 'missing.env']) expect(files).toContain(fixture('env-file', name));
  });

  test('a missing env_file is reported at its entry (a warning: apply fails on it); required: false is silent', () => {
    // The optional config/local.env does not exist either: no diagnostic for it.
    expect(loaded([file]).warnings.map(where)).toEqual([`env-file/compose.yml:13:15 env_file ${fixture('env-file', 'missing.env')} does not exist: its variables are left out`]);
  });
});

describe('label_file', () => {
  const file = fixture('label-file', 'compose.yml');

  test('its labels go under what the service sets itself; a missing file is a warning at its entry, and watched', () => {
    const { project, warnings, files } = loaded([file]);
    const api = service(project, 'api').raw;
    expect(api.labels).toEqual({ 'com.example.team': 'payments', 'com.example.tier': 'back', 'io.example.owner': 'api-team' });
    expect(api.label_file).toBeUndefined();
    expect(warnings.map(where)).toEqual([`label-file/compose.yml:6:9 label_file ${fixture('label-file', 'gone.labels')} does not exist: its labels are left out`]);
    expect(files).toEqual(expect.arrayContaining([fixture('label-file', 'team.labels'), fixture('label-file', 'gone.labels')]));
  });
});
