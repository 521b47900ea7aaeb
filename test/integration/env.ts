// The private engine the integration tests use (scripts/docker-env.sh starts it), or another one.
export const DOCKER_HOST = process.env.CLUSTER_TEST_DOCKER_HOST ?? 'unix:///run/cluster-test/docker.sock';
