// What a swarm-mode service's definition becomes in the Engine API's ServiceSpec (docker stack
// deploy's mapping: docker/cli cli/compose/convert/service.go convertDeployMode / Placement).
import { describe, expect, test } from 'vitest';
import { toSwarmServiceSpec } from '../../src/providers/docker/service.js';
import { desiredOf } from '../support/manifest.js';

function requestFor(deploy: string) {
  const d = desiredOf(`name: demo\nmachines:\n  m1: { driver: sim, role: manager }\nservices:\n  api:\n    mode: swarm\n    image: busybox:latest\n    scale: 3\n    deploy:\n${deploy}`);
  const s = d.services[0]!;
  return toSwarmServiceSpec({ name: 'demo_api', spec: s.spec, swarm: s.swarm!, replicas: s.scale, labels: {} });
}

describe('swarm service spec', () => {
  test('max_replicas_per_node goes to Placement.MaxReplicas with the constraints and spread preferences', () => {
    const spec = requestFor('      placement:\n        constraints: ["node.labels.size == xxl"]\n        preferences: [{ spread: node.labels.zone }]\n        max_replicas_per_node: 2\n');
    expect(spec.TaskTemplate.Placement).toEqual({ Constraints: ['node.labels.size == xxl'], Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }], MaxReplicas: 2 });
  });

  test('0 or absent is no limit: no MaxReplicas sent', () => {
    expect(requestFor('      placement:\n        max_replicas_per_node: 0\n').TaskTemplate.Placement).toEqual({ Constraints: [] });
  });
});
