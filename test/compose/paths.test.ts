// Relative paths resolve against the folder of the file that wrote them, whatever the current folder.
import { describe, expect, test } from 'vitest';
import { fixture, loaded, service } from './support.js';

describe('relative paths', () => {
  const app = fixture('paths', 'app');
  const file = fixture('paths', 'app', 'compose.yml');
  const { project, warnings } = loaded([file], { env: { HOME: '/home/me' } });

  test('build context and env_file', () => {
    expect(service(project, 'app').raw.build).toBe(app);
    expect(warnings.map((w) => w.message)).toEqual([`env_file ${app}/app.env does not exist: its variables are left out`]);
    expect(project.services.map((s) => s.name)).toEqual(['app', 'tool']);
  });

  test('bind mounts resolve (short and long form, ~ from HOME); named volumes and absolute paths stay', () => {
    expect(service(project, 'app').raw.volumes).toEqual([
      `${app}/data:/data`,
      `${fixture('paths', 'shared')}:/shared:ro`,
      '/home/me/.cache:/root/.cache',
      'logs:/var/log/app',
      '/var/run/docker.sock:/var/run/docker.sock',
      { type: 'bind', source: `${app}/conf`, target: '/etc/app' },
      { type: 'volume', source: 'logs', target: '/logs' },
    ]);
  });

  test('a remote build context is not a path', () => {
    expect(service(project, 'tool').raw.build).toEqual({ context: 'git@github.com:example/tool.git' });
  });

  test('top-level secret and config files', () => {
    expect(project.secrets.map((s) => s.raw.file)).toEqual([`${app}/secrets/token.txt`]);
    expect(project.configs.map((c) => c.raw.file)).toEqual([fixture('paths', 'shared', 'nginx.conf')]);
  });

  test('an override in another folder resolves against its own folder, and replaces the mount at the same target', () => {
    const merged = loaded([file, fixture('paths', 'app', 'overrides', 'dev.yml')], { env: { HOME: '/home/me' } });
    const volumes = service(merged.project, 'app').raw.volumes as unknown[];
    expect(volumes[0]).toBe(`${app}/overrides/dev-data:/data`);
    expect(volumes).toHaveLength(7);
  });
});
