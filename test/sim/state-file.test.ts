// State files under .cluster/: the previous version kept as .bak, and the debris of a killed writer
// (a temp file never renamed) removed by the next run — but never a live writer's temp file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { backupOf, removeStaleTemps, writeStateFile, writeStateFileAsync } from '../../src/providers/state-file.js';
import { decodeSimState, encodeSimState } from '../../src/providers/sim/format.js';
import { seedSimState } from '../../src/providers/sim/seed.js';
import { engineFacts } from '../../src/providers/sim/facts.js';
import type { SimState } from '../../src/providers/sim/state.js';
import { CLUSTER, machine, replicaRequest, spec } from './support.js';

function deadPid(): number {
  // A process that has exited: its pid is free (reuse within this test is not a concern).
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('state files', () => {
  test('every write keeps the previous version beside the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-file-'));
    const file = join(dir, 'x.json');
    writeStateFile(file, 'one\n');
    expect(existsSync(backupOf(file))).toBe(false);
    writeStateFile(file, 'two\n');
    expect(readFileSync(backupOf(file), 'utf8')).toBe('one\n');
    await writeStateFileAsync(file, 'three\n');
    expect(readFileSync(file, 'utf8')).toBe('three\n');
    expect(readFileSync(backupOf(file), 'utf8')).toBe('two\n');
    expect(readdirSync(dir).sort()).toEqual(['x.json', 'x.json.bak']);
  });

  test("temp files of dead writers and old write-file-atomic ones go; a live writer's and other files stay", () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-file-'));
    const file = join(dir, 'demo.sim.json');
    const hourAgo = new Date(Date.now() - 3_600_000 + 60_000);
    const names = {
      dead: `demo.sim.json.${deadPid()}.1.tmp`,
      deadBak: `demo.sim.json.bak.${deadPid()}.2.tmp`,
      live: `demo.sim.json.${process.pid}.3.tmp`,
      oldAtomic: 'demo.sim.json.3735928559',
      freshAtomic: 'demo.sim.json.12345',
      other: 'other.sim.json.12345',
      bak: 'demo.sim.json.bak',
    };
    for (const n of Object.values(names)) writeFileSync(join(dir, n), 'x');
    utimesSync(join(dir, names.oldAtomic), hourAgo, hourAgo);
    expect(removeStaleTemps(file).sort()).toEqual([names.dead, names.deadBak, names.oldAtomic].sort());
    expect(readdirSync(dir).sort()).toEqual([names.bak, names.freshAtomic, names.live, names.other].sort());
  });
});

describe('sim state format', () => {
  test('a port bound to one host address keeps it through a write and a read (third element of the port tuple)', () => {
    const web = spec({ ports: [{ target: 80, published: 8080, protocol: 'tcp', hostIp: '127.0.0.2' }, { target: 53, published: 53, protocol: 'udp' }] });
    const state = seedSimState(CLUSTER, [machine('m1')], [{ machine: 'm1', request: replicaRequest('web', 1, web) }]);
    const text = encodeSimState(state);
    expect(text).toContain('"ports":[[8080,"tcp","127.0.0.2"],[53,"udp"]]');
    const back = decodeSimState(text, 'x.sim.json', CLUSTER);
    expect(back.templates.map((t) => t.ports)).toEqual([[{ published: 8080, protocol: 'tcp', hostIp: '127.0.0.2' }, { published: 53, protocol: 'udp' }]]);
  });
});

describe('sim state read by column', () => {
  // Two services whose templates are first used in the opposite order on the second machine, a
  // stopped and a label-less container: what renumbering and the per-replica labels must survive.
  function seeded() {
    const web = spec({ ports: [{ target: 80, published: 8080, protocol: 'tcp' }] });
    const db = spec({ image: 'postgres:16' });
    const state = seedSimState(CLUSTER, [machine('m1'), machine('m2')], [
      { machine: 'm1', request: replicaRequest('web', 1, web) },
      { machine: 'm1', request: replicaRequest('db', 1, db), state: 'exited' },
      { machine: 'm2', request: replicaRequest('db', 2, db) },
      { machine: 'm2', request: replicaRequest('web', 2, web) },
      { machine: 'm2', request: { name: 'stranger', spec: spec({ image: 'busybox' }), labels: {} } },
    ]);
    return encodeSimState(state);
  }
  const facts = (state: SimState) => [...state.machines.values()].map((m) => JSON.parse(JSON.stringify(engineFacts(state, m, `sim://${CLUSTER}/${m.name}`))));

  test('observing from the columns sees what observing the rows sees, ids and labels included', () => {
    const text = seeded();
    const byColumn = decodeSimState(text, 'x.sim.json', CLUSTER);
    expect([...byColumn.machines.values()].every((m) => m.columns)).toBe(true);
    const fromColumns = facts(byColumn);
    const byRow = decodeSimState(text, 'x.sim.json', CLUSTER);
    for (const m of byRow.machines.values()) expect(m.containers.length).toBeGreaterThan(0); // builds the rows
    expect([...byRow.machines.values()].some((m) => m.columns)).toBe(false);
    expect(facts(byRow)).toEqual(fromColumns);
    expect(fromColumns[1].containers.map((c: { name: string; labels: Record<string, string> }) => [c.name, c.labels['io.cluster.replica']])).toEqual([
      [`${CLUSTER}-db-2`, '2'],
      [`${CLUSTER}-web-2`, '2'],
      ['stranger', undefined],
    ]);
  });

  test('a state written again unchanged is the same bytes, from the columns or from the rows', () => {
    const text = seeded();
    expect(encodeSimState(decodeSimState(text, 'x.sim.json', CLUSTER))).toBe(text);
    const byRow = decodeSimState(text, 'x.sim.json', CLUSTER);
    for (const m of byRow.machines.values()) void m.containers;
    expect(encodeSimState(byRow)).toBe(text);
  });

  test('a change after reading goes to the rows, and the columns are gone', () => {
    const state = decodeSimState(seeded(), 'x.sim.json', CLUSTER);
    const m2 = state.machines.get('m2')!;
    m2.containers[0]!.state = 'exited';
    expect(m2.columns).toBeUndefined();
    expect(engineFacts(state, m2, 'sim://x/m2').containers.map((c) => c.state)).toEqual(['exited', 'running', 'running']);
    expect(decodeSimState(encodeSimState(state), 'x.sim.json', CLUSTER).machines.get('m2')!.columns!.state).toEqual(['exited', 'running', 'running']);
  });
});
