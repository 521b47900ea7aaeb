#!/usr/bin/env bash
# A private Docker engine for tests and the demo, away from any engine the user already runs.
#   install  apt-get docker.io, busybox-static, docker-registry, apache2-utils, and chromium, when missing (Debian; needs root)
#   browser  apt-get only chromium when missing (the picture's browser test opens `status --html` in it)
#   start    start dockerd on $CLUSTER_TEST_RUN/docker.sock unless it already answers; make busybox:latest
#   stop     stop the dockerd this script started
#   env      print the DOCKER_HOST to use
set -euo pipefail
RUN=${CLUSTER_TEST_RUN:-/run/cluster-test}
DATA=${CLUSTER_TEST_DATA:-/var/lib/cluster-test/docker}
SOCK="$RUN/docker.sock"
export DOCKER_HOST="unix://$SOCK"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

ping() { curl -fsS --max-time 2 --unix-socket "$SOCK" http://engine/_ping >/dev/null 2>&1; }
# The busybox copied into images must be static (Debian's `busybox` package is dynamic; busybox-static replaces it).
static_busybox() { local b; b=$(command -v busybox) && ! ldd "$b" >/dev/null 2>&1; }

install() {
  install_engine
  install_browser
}

install_engine() {
  if command -v dockerd >/dev/null && static_busybox && command -v curl >/dev/null && command -v openssl >/dev/null \
    && [ -x /usr/bin/docker-registry ] && command -v htpasswd >/dev/null && command -v docker-compose >/dev/null \
    && command -v debootstrap >/dev/null && command -v dpkg-scanpackages >/dev/null; then
    echo "docker-env: dockerd $(dockerd --version | awk '{print $3}' | tr -d ,) and busybox already installed"
    return
  fi
  echo "docker-env: installing docker.io, busybox-static, docker-registry and apache2-utils from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # openssl: the TLS integration test makes its own CA and certificates (and the ssh driver its cluster CA).
  # debootstrap, dpkg-dev: the ssh driver's test hosts are a Debian rootfs with sshd and a local apt
  # repository of docker.io (test/support/bare-host.ts), built here because the hosts have no internet.
  # docker-registry + apache2-utils (htpasswd): the registry tests run a real registry with auth.
  # docker-compose (Debian's, 1.29): `docker-compose -p CLUSTER ps` on a machine lists what cluster runs (test/integration/app.test.ts)
  apt-get install -y -qq --no-install-recommends docker.io busybox-static curl ca-certificates iptables openssl docker-registry apache2-utils docker-compose debootstrap dpkg-dev >/dev/null
}

# Debian's chromium, run headless by test/integration/picture-browser.test.ts.
install_browser() {
  if command -v chromium >/dev/null; then
    echo "docker-env: $(chromium --version 2>/dev/null | head -n 1) already installed"
    return
  fi
  echo "docker-env: installing chromium from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
}

start() {
  mkdir -p "$RUN" "$DATA"
  if ! ping; then
    echo "docker-env: starting dockerd on $SOCK"
    # setsid: the daemon must outlive this script and its process group (vitest, CI steps).
    setsid dockerd --host "$DOCKER_HOST" --data-root "$DATA" --exec-root "$RUN/exec" --pidfile "$RUN/docker.pid" \
      >"$RUN/dockerd.log" 2>&1 </dev/null &
    for _ in $(seq 1 150); do ping && break; sleep 0.2; done
    if ! ping; then
      echo "docker-env: dockerd did not answer within 30 s; its log ends with:" >&2
      tail -n 20 "$RUN/dockerd.log" >&2
      exit 1
    fi
  fi
  # No registry is reachable here: the workload image is made from the host's static busybox.
  if ! docker image inspect busybox:latest >/dev/null 2>&1; then
    (cd "$ROOT" && node --import tsx scripts/make-images.ts "$DOCKER_HOST")
  fi
  echo "docker-env: engine ready at $DOCKER_HOST"
}

stop() {
  [ -f "$RUN/docker.pid" ] || { echo "docker-env: not running"; return; }
  pid=$(cat "$RUN/docker.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || { echo "docker-env: stopped dockerd ($pid)"; return; }; sleep 0.2; done
  # Said, not fatal: a slow shutdown must not fail the test run that already passed.
  echo "docker-env: dockerd ($pid) still running after 20 s; see $RUN/dockerd.log" >&2
}

case "${1:-}" in
  install) install ;;
  browser) install_browser ;;
  start) start ;;
  stop) stop ;;
  env) echo "export DOCKER_HOST=$DOCKER_HOST" ;;
  *) echo "usage: $0 install|browser|start|stop|env" >&2; exit 2 ;;
esac
