// Several -f files merge as the compose-spec says: later files override, lists append or merge by key.
import { describe, expect, test } from 'vitest';
import { mergeService } from '../../src/compose/merge.js';
import { fixture, loaded, service } from './support.js';

describe('merging compose files', () => {
  const files = [fixture('merge', 'compose.yml'), fixture('merge', 'compose.prod.yml')];
  const { project, files: read } = loaded(files);
  const web = service(project, 'web');

  test('scalars and command replace; ports and cap_add append without duplicates', () => {
    expect(web.raw.image).toBe('nginx:1.27');
    expect(web.raw.command).toEqual(['nginx-debug', '-g', 'daemon off;']);
    expect(web.raw.ports).toEqual(['80:80', '443:443']);
    expect(web.raw.cap_add).toEqual(['NET_ADMIN', 'SYS_TIME']);
  });

  test('environment merges key by key, the list form becoming a map', () => {
    expect(web.raw.environment).toEqual({ LOG_LEVEL: 'info', MODE: 'prod', TLS: 'on' });
  });

  test('volumes merge by target; depends_on and networks merge as maps', () => {
    expect(web.raw.volumes).toEqual(['/srv/html:/usr/share/nginx/html:ro', 'cache:/var/cache/nginx']);
    expect(web.raw.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    expect(web.raw.networks).toEqual({ front: {}, back: {} });
  });

  test('healthcheck.test replaces while the rest of healthcheck merges', () => {
    expect(service(project, 'api').raw.healthcheck).toEqual({ test: ['CMD-SHELL', 'wget -q -O- localhost/health'], interval: '10s' });
  });

  test('the origin is the last file defining the service; services keep file order', () => {
    expect(web.origin.source.file).toBe(files[1]);
    expect(web.origin.path).toEqual(['services', 'web']);
    expect(web.origins.map((o) => o.source.file)).toEqual(files);
    expect(service(project, 'worker').origins.map((o) => o.source.file)).toEqual([files[1]]);
    expect(project.services.map((s) => s.name)).toEqual(['web', 'api', 'worker']);
    expect(project.name).toBe('shop');
  });

  test('top-level entries merge recursively, from the last file that defines them', () => {
    const front = project.networks.find((n) => n.name === 'front')!;
    expect(front.raw).toEqual({ driver: 'bridge', labels: { tier: 'front', env: 'prod' } });
    expect(front.origin.source.file).toBe(files[1]);
    expect(project.networks.map((n) => n.name)).toEqual(['front', 'back']);
    expect(project.volumes.map((v) => [v.name, v.raw])).toEqual([['cache', {}]]);
  });

  test('files lists every file read, the .env beside the first file included', () => {
    expect(read).toEqual([...files, fixture('merge', '.env')]);
  });
});

describe('merge rules on their own', () => {
  test('secrets merge by where they land: short and long forms of the same target are one entry', () => {
    const merged = mergeService({ secrets: ['token', 'cert'] }, { secrets: [{ source: 'token', target: '/run/secrets/token', mode: 0o400 }] });
    expect(merged.secrets).toEqual([{ source: 'token', target: '/run/secrets/token', mode: 0o400 }, 'cert']);
  });

  test('a single dns server and a list append; labels in list form merge with a map', () => {
    const merged = mergeService({ dns: '1.1.1.1', labels: ['a=1', 'b=2'] }, { dns: ['8.8.8.8', '1.1.1.1'], labels: { b: '3' } });
    expect(merged.dns).toEqual(['1.1.1.1', '8.8.8.8']);
    expect(merged.labels).toEqual({ a: '1', b: '3' });
  });

  test('env_file entries of two files append (compose reads them all)', () => {
    expect(mergeService({ env_file: ['/a.env'] }, { env_file: ['/b.env'] }).env_file).toEqual(['/a.env', '/b.env']);
  });

  test('a build string and a build map replace each other; two build maps merge', () => {
    expect(mergeService({ build: { context: '/a', target: 'dev' } }, { build: '/b' }).build).toBe('/b');
    expect(mergeService({ build: { context: '/a', args: ['X=1'] } }, { build: { args: { Y: '2' } } }).build).toEqual({ context: '/a', args: { X: '1', Y: '2' } });
  });
});
