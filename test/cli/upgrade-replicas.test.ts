// What `cluster upgrade` waits to see gone from a machine before its engine package is upgraded: the
// cluster's replicas in any state (a stopped one is still the machine's: the next apply would start it
// there; after an engine restart without a restart policy they are all stopped), and the running tasks
// of its swarm services. Not another cluster's containers, not another checkout's.
import { describe, expect, test } from 'vitest';
import { replicasOn } from '../../src/cli/commands/upgrade.js';
import type { Observed } from '../../src/model/observed.js';
import { desired, machine, owned, running, service } from '../support/build.js';

const d = desired([machine('h1'), machine('h2')], [service('web'), service('api', { mode: 'swarm' } as never)]);
const task = (svc: string, state: 'running' | 'exited') => ({ ...owned('x', 0), id: `task-${svc}-${state}`, name: `${svc}.1.abc-${state}`, state, owner: undefined, labels: { 'com.docker.swarm.service.name': svc } });

describe('the replicas an upgrade drains away first', () => {
  test('owned replicas in any state and running tasks of the cluster\'s swarm services; nothing else', () => {
    const observed: Observed = {
      cluster: 'demo',
      identity: 'me',
      machines: [
        running('h1', {
          containers: [
            owned('web', 1),
            owned('web', 2, undefined, { state: 'exited' }),
            owned('web', 3, undefined, { owner: { cluster: 'demo', service: 'web', replica: 3, configHash: 'h', id: 'someone-else' } }),
            owned('web', 4, undefined, { owner: { cluster: 'other', service: 'web', replica: 4, configHash: 'h' } }),
            task('demo_api', 'running'),
            task('demo_api', 'exited'),
            task('other_api', 'running'),
          ],
        }),
        running('h2', { containers: [owned('web', 5)] }),
      ],
    };
    expect(replicasOn(observed, d, 'h1')).toEqual(['demo-web-1', 'demo-web-2', 'demo_api.1.abc-running']);
    expect(replicasOn(observed, d, 'h2')).toEqual(['demo-web-5']);
    expect(replicasOn({ ...observed, machines: [] }, d, 'h1')).toEqual([]);
  });
});
