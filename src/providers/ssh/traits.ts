import { sshOptions } from '../../manifest/ssh-options.js';
import type { DriverTraits } from '../traits.js';

export const sshTraits: DriverTraits = {
  simulated: false,
  adopted: false,
  // The driver writes the host's daemon.json: `engine:` options are set at provisioning and changed later.
  engineOptions: true,
  options: ['host', 'port', 'user', 'identity', 'host-key'],
  required: [{ key: 'host', hint: 'the host to provision: `host: 10.0.0.5` (with `user`, `port`, `identity`), or `host: ssh://user@host:22`' }],
  shell: 'ssh-url',
  readOptions: sshOptions,
  stateMarker: () => 'ssh',
};
