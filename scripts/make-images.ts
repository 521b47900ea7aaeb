// Makes busybox:latest on an engine without a registry, from the host's static busybox.
import { dockerodeFor } from '../src/providers/docker/connection.js';
import { buildWorkloadImage } from '../src/providers/docker/node-image.js';

const url = process.argv[2] ?? process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
const started = Date.now();
await buildWorkloadImage(dockerodeFor(url));
console.log(`docker-env: made busybox:latest from the host's busybox in ${Date.now() - started} ms`);
