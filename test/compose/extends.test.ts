// `extends`: within a file and across files, what is not inherited, and the errors it can make.
import { describe, expect, test } from 'vitest';
import { failed, fixture, loaded, service, where } from './support.js';

describe('extends', () => {
  const file = fixture('extends', 'compose.yml');
  const { project, files } = loaded([file]);

  test('within a file: the base is the start, the service’s own keys merge over it', () => {
    expect(service(project, 'web').raw).toEqual({
      image: 'python:3.12',
      command: ['gunicorn', 'app:app'],
      environment: { PYTHONUNBUFFERED: '1', LOG: 'debug' },
    });
  });

  test('depends_on is not inherited, but the base keeps its own', () => {
    expect(service(project, 'web').raw.depends_on).toBeUndefined();
    expect(service(project, 'base').raw.depends_on).toEqual({ db: { condition: 'service_started' } });
  });

  test('across files, recursively: relative paths stay relative to the file that wrote them', () => {
    const worker = service(project, 'worker');
    expect(worker.raw).toEqual({
      build: fixture('extends', 'common', 'worker'),
      command: ['celery', 'worker'],
      environment: { QUEUE: 'emails', CONCURRENCY: '4' },
      volumes: [`${fixture('extends', 'common', 'data')}:/data`],
    });
    expect(worker.origin.source.file).toBe(file);
  });

  test('services of the extended file are not part of the project, but the file is watched', () => {
    expect(project.services.map((s) => s.name)).toEqual(['base', 'web', 'worker', 'db']);
    expect(files).toContain(fixture('extends', 'common', 'services.yml'));
  });

  test('a cycle is one error, at the extends that closes it', () => {
    const diagnostics = failed([fixture('extends', 'cycle.yml')]);
    expect(diagnostics.map(where)).toEqual(['extends/cycle.yml:4:14 extends cycle: app → middle → app']);
  });

  test('a missing base service or file is an error at that entry', () => {
    const diagnostics = failed([fixture('extends', 'missing.yml')]);
    expect(diagnostics.map(where)).toEqual([
      'extends/missing.yml:4:16 service web extends bsae, which is not defined in this file',
      `extends/missing.yml:9:13 extends file not found: ${fixture('extends', 'nowhere.yml')}`,
    ]);
    expect(diagnostics[0]!.hint).toBe('did you mean `base`?');
  });
});
