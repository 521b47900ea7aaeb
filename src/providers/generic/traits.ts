import type { DriverTraits } from '../traits.js';

export const genericTraits: DriverTraits = {
  simulated: false,
  adopted: true,
  options: ['url', 'tls'],
  required: [{ key: 'url', hint: 'the engine to adopt: unix:///var/run/docker.sock, tcp://host:2376 (with tls), ssh://user@host' }],
  shell: 'ssh-url',
};
