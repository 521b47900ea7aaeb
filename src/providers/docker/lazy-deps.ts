// dockerode and docker-modem require, at load time, modules that only a few calls use: gRPC and
// protobuf for BuildKit sessions (dockerode/lib/session.js), ssh2 for ssh:// engines
// (docker-modem/lib/ssh.js). Deferring them cut a `cluster plan` of a docker cluster from 645 to
// 530 ms of CPU (medians of 6, interleaved). This module, imported before dockerode, makes exactly
// those requires lazy: each loads on first use (test/providers/lazy-deps.test.ts).
import Module from 'node:module';
import { sep } from 'node:path';

type Load = (request: string, parent: { filename?: string } | undefined, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const realLoad = loader._load;

/** [requiring file (ends with), request]: what is deferred, and only when that file asks. */
const DEFERRED: [string, string, 'function' | 'object'][] = [
  [['docker-modem', 'lib', 'modem.js'].join(sep), './ssh', 'function'],
  [['dockerode', 'lib', 'session.js'].join(sep), '@grpc/grpc-js', 'object'],
  [['dockerode', 'lib', 'session.js'].join(sep), '@grpc/proto-loader', 'object'],
];

loader._load = function (request, parent, isMain) {
  const deferred = DEFERRED.find(([from, what]) => what === request && parent?.filename?.endsWith(from));
  if (!deferred) return realLoad.call(this, request, parent, isMain);
  let real: unknown;
  const load = () => (real ??= realLoad.call(this, request, parent, isMain)) as Record<PropertyKey, unknown> & ((...args: unknown[]) => unknown);
  // docker-modem calls ssh(options) when a request goes over ssh; session.js reads grpc.X inside calls.
  return deferred[2] === 'function' ? (...args: unknown[]) => load()(...args) : new Proxy({}, { get: (_, key) => load()[key] });
};
