import { SIM_DEFAULT_CPUS, SIM_DEFAULT_MEMORY } from '../../model/desired.js';
import type { DriverTraits } from '../traits.js';

export const simTraits: DriverTraits = {
  simulated: true,
  adopted: false,
  options: [],
  required: [],
  defaultSize: { cpus: SIM_DEFAULT_CPUS, memory: SIM_DEFAULT_MEMORY },
  shell: 'none',
  stateMarker: (cluster) => `${cluster}.sim.json`,
};
