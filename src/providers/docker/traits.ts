import type { DriverTraits } from '../traits.js';

export const dockerTraits: DriverTraits = {
  simulated: false,
  adopted: false,
  engineOptions: true,
  options: ['image', 'host', 'privileged'],
  required: [],
  shell: 'docker-exec',
  stateMarker: () => 'machines',
};
