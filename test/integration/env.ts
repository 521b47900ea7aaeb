// The private engine the integration tests use (scripts/docker-env.sh starts it), or another one.
export const DOCKER_HOST = process.env.CLUSTER_TEST_DOCKER_HOST ?? 'unix:///run/cluster-test/docker.sock';

/**
 * The command of an idle replica in these tests (a YAML flow sequence, for `command:`): it ends at once
 * on SIGTERM. `sleep` as a container's PID 1 installs no handler, and the kernel does not deliver a
 * signal to a PID 1 that does not handle it, so every graceful stop (a swarm task replaced or removed,
 * a machine's dockerd shutting down) waited the whole stop timeout (10 s; moby daemon/stop.go
 * containerStop sends SIGKILL after it) before the container went: `docker stop` measured 10.3 s,
 * 0.25 s with this command. What the tests check is what happens after the stop, not its length.
 */
export const IDLE = `[sh, -c, "trap 'exit 0' TERM; sleep 3600 & wait"]`;
/** IDLE as a Dockerfile's CMD (exec form). */
export const IDLE_CMD = `CMD ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]`;
