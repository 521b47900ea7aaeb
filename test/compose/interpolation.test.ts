// Variables: opts.env over .env beside the first file, the ${...} forms, $$, and typed fields cast.
import { maskText } from '../../src/model/secrets.js';
import { describe, expect, test } from 'vitest';
import { failed, fixture, loaded, service, where } from './support.js';

describe('interpolation', () => {
  const file = fixture('interpolation', 'compose.yml');

  test('.env beside the first compose file fills variables; $$ is a literal dollar', () => {
    const web = service(loaded([file]).project, 'web');
    expect(web.raw.image).toBe('nginx:1.25-alpine');
    expect(web.raw.ports).toEqual(['8080:80']);
    expect(web.raw.command).toEqual(['sh', '-c', 'echo $HOME && exec nginx']);
  });

  test('the given environment wins over .env', () => {
    expect(service(loaded([file], { env: { TAG: '1.27' } }).project, 'web').raw.image).toBe('nginx:1.27');
  });

  test(':- treats empty as unset, - only unset', () => {
    expect(service(loaded([file]).project, 'web').raw.environment).toEqual({ GREETING: 'hello', EMPTY_COLON: 'fallback', EMPTY_PLAIN: '', UNSET_PLAIN: 'fallback' });
    expect(service(loaded([file], { env: { GREETING: 'hi' } }).project, 'web').raw.environment).toMatchObject({ GREETING: 'hi' });
  });

  test('fields typed as numbers and booleans get them from a variable, as compose casts them', () => {
    const web = service(loaded([file]).project, 'web');
    expect(web.raw.deploy).toEqual({ replicas: 3 });
    expect(web.raw.read_only).toBe(true);
  });

  test('a typed field whose variable is not a number is a schema error at that field', () => {
    const diagnostics = failed([file], { env: { REPLICAS: 'many' } });
    expect(diagnostics.map(where)).toEqual(['interpolation/compose.yml:13:17 services.web.deploy.replicas must be an integer (got string "many")']);
  });

  test('a file mode written 0440 is octal, as docker compose reads it', () => {
    expect(service(loaded([file]).project, 'web').raw.secrets).toEqual([{ source: 'token', mode: 0o440 }]);
  });

  test('${X:?message} and ${X?} fail at the value that needs X', () => {
    const required = fixture('interpolation', 'required.yml');
    expect(failed([required]).map(where)).toEqual([
      'interpolation/required.yml:5:26 required variable DB_PASSWORD is not set: need DB_PASSWORD',
      'interpolation/required.yml:6:22 required variable DB_USER is not set',
    ]);
    // `?` accepts an empty value, `:?` does not.
    expect(failed([required], { env: { DB_PASSWORD: '', DB_USER: '' } }).map(where)).toEqual(['interpolation/required.yml:5:26 required variable DB_PASSWORD is empty: need DB_PASSWORD']);
    const ok = loaded([required], { env: { DB_PASSWORD: 's3cret', DB_USER: '' } });
    expect(service(ok.project, 'db').raw.environment).toEqual({ POSTGRES_PASSWORD: 's3cret', POSTGRES_USER: '' });
    // The value of a secret variable is remembered, so it is masked wherever it lands.
    expect(maskText('pg://u:s3cret@db')).toBe('pg://u:(sensitive)@db');
  });

  test('an unset variable without a default is a warning at the variable, and becomes empty', () => {
    const r = loaded([fixture('interpolation', 'unset.yml')]);
    expect(r.warnings.map(where)).toEqual(['interpolation/unset.yml:3:18 variable NGINX_TAG is not set: using an empty string']);
    expect(service(r.project, 'web').raw.image).toBe('nginx:');
  });

  test('a variable given as undefined is unset: .env still provides it', () => {
    expect(service(loaded([file], { env: { TAG: undefined } }).project, 'web').raw.image).toBe('nginx:1.25-alpine');
  });
});

describe('anchors, merge keys and x- extensions', () => {
  const { project } = loaded([fixture('anchors', 'compose.yml')]);

  test('<<: *anchor brings the shared keys; the service’s own keys win', () => {
    expect(service(project, 'api').raw).toEqual({
      restart: 'unless-stopped',
      logging: { driver: 'json-file', options: { 'max-size': '10m' } },
      environment: { TZ: 'Europe/Paris', PORT: '3000' },
      image: 'example/api:2',
    });
  });

  test('x- keys are dropped at every level, but an x- label is data and stays', () => {
    const worker = service(project, 'worker').raw;
    expect(worker.build).toEqual({ context: fixture('anchors', 'worker') });
    expect(worker.labels).toEqual({ 'x-team': 'payments' });
    expect(Object.keys(worker).filter((k) => k.startsWith('x-'))).toEqual([]);
    expect(project.services.map((s) => s.name)).toEqual(['api', 'worker']);
  });
});
