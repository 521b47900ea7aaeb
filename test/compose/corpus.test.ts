// Compose files written the way people publish them: each must load as docker compose would, with
// the services it declares (profiles off) and no error.
import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { fixture, loaded, service } from './support.js';

const EXPECTED: Record<string, string[]> = {
  'wordpress.yml': ['db', 'wordpress'],
  'node-redis-postgres.yml': ['api', 'postgres', 'redis'],
  'traefik.yml': ['traefik', 'whoami'],
  'monitoring.yml': ['prometheus', 'grafana', 'node-exporter'],
  'modern-dev.yml': ['web', 'api', 'mongo'],
  'swarm-stack.yml': ['web', 'agent'],
  'gitea-anchors.yml': ['server', 'db'],
  'elastic.yml': ['elasticsearch', 'kibana'],
};

describe('a corpus of published-style compose files', () => {
  test('every corpus file has its expectation', () => {
    expect(readdirSync(fixture('corpus')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test.each(Object.entries(EXPECTED))('%s loads with its services', (name, services) => {
    const { project } = loaded([fixture('corpus', name)]);
    expect(project.services.map((s) => s.name)).toEqual(services);
  });

  test('what the files say survives the load', () => {
    const stack = loaded([fixture('corpus', 'swarm-stack.yml')]).project;
    expect(service(stack, 'web').raw.deploy).toMatchObject({ replicas: 3, placement: { max_replicas_per_node: 2 } });
    const gitea = loaded([fixture('corpus', 'gitea-anchors.yml')], { profiles: ['ci'] }).project;
    expect(service(gitea, 'runner').raw.environment).toMatchObject({ USER_UID: '1000', GITEA_INSTANCE_URL: 'http://server:3000' });
    expect(service(gitea, 'db').raw.secrets).toEqual([{ source: 'db_password', mode: 0o400 }]);
    const dev = loaded([fixture('corpus', 'modern-dev.yml')]).project;
    expect(dev.name).toBe('todo-app');
    expect(service(dev, 'api').raw.depends_on).toEqual({ mongo: { condition: 'service_started' } });
    const wordpress = loaded([fixture('corpus', 'wordpress.yml')]);
    expect(service(wordpress.project, 'wordpress').raw.environment).toMatchObject({ WORDPRESS_DB_PASSWORD: 'wordpress' });
    expect(wordpress.warnings.map((w) => w.message)).toEqual(['the attribute `version` is obsolete and ignored']);
  });
});
