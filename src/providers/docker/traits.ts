import type { DriverTraits } from '../traits.js';

export const dockerTraits: DriverTraits = {
  simulated: false,
  adopted: false,
  options: ['image', 'host', 'privileged'],
  required: [],
  shell: 'docker-exec',
  stateMarker: () => 'machines',
};
