// include: other compose applications pulled in, each loaded as a project of its own.
import { describe, expect, test } from 'vitest';
import { failed, fixture, loaded, service, where } from './support.js';

describe('compose include', () => {
  test('an included application brings its services, networks and secrets, read in its own project directory', () => {
    const { project, files } = loaded([fixture('include', 'compose.yml')]);
    expect(project.services.map((s) => s.name)).toEqual(['db', 'cache', 'web']);
    expect(service(project, 'web').raw.image).toBe('nginx:1.25');
    expect(service(project, 'db').raw.image).toBe('postgres:16'); // its own .env, not the including project's
    expect(service(project, 'cache').raw.image).toBe('redis:7'); // the include's env_file
    expect(service(project, 'db').raw.volumes).toEqual([`${fixture('include', 'db', 'data')}:/var/lib/postgresql/data`]);
    expect(project.secrets.map((s) => [s.name, s.raw.file])).toEqual([['pw', fixture('include', 'db', 'pw.txt')]]);
    expect(project.networks.map((n) => n.name)).toEqual(['back']); // written alike on both sides: one network
    expect(service(project, 'db').origin.source.file).toBe(fixture('include', 'db', 'compose.yml'));
    expect(files).toEqual(expect.arrayContaining([fixture('include', 'db', 'compose.yml'), fixture('include', 'db', '.env'), fixture('include', 'cache', 'cache.env')]));
  });

  test("the shell's variables win in an included project too", () => {
    expect(service(loaded([fixture('include', 'compose.yml')], { env: { DB_TAG: '15' } }).project, 'db').raw.image).toBe('postgres:15');
  });

  test('a service or a differing network defined both here and by an include is an error at its definition', () => {
    expect(failed([fixture('include-conflict', 'compose.yml')]).map(where)).toEqual([
      `include-conflict/compose.yml:4:3 service web is defined here and by the included ${fixture('include-conflict', 'other.yml')}`,
    ]);
    expect(failed([fixture('include-conflict', 'network.yml')]).map(where)).toEqual([
      `include-conflict/network.yml:7:3 network back is defined here and, differently, by the included ${fixture('include-conflict', 'other.yml')}`,
    ]);
  });

  test('an include cycle, a malformed entry and a missing file are errors at the entry', () => {
    expect(failed([fixture('include-cycle', 'a.yml')]).map(where)).toEqual([
      `include-cycle/b.yml:2:5 include cycle: ${fixture('include-cycle', 'a.yml')} includes itself (through ${fixture('include-cycle', 'b.yml')})`,
    ]);
    const bad = failed([fixture('include-cycle', 'bad-entry.yml')]);
    expect(bad.map(where)).toEqual(['include-cycle/bad-entry.yml:2:5 an include entry is a path, or a map with `path:` (one file or a list)']);
    expect(bad[0]!.hint).toMatch(/path:/);
    expect(failed([fixture('include-cycle', 'missing.yml')]).map(where)).toEqual([`include-cycle/missing.yml:2:5 included compose file ${fixture('include-cycle', 'nope.yml')} does not exist`]);
  });
});
