#!/usr/bin/env bash
# The README's first command: apply cluster.example.yml on real Docker-in-Docker machines.
# Uses DOCKER_HOST (or the default socket) when an engine answers there; otherwise, as root on
# Debian, installs docker.io and starts a private dockerd (scripts/docker-env.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
answers() {
  local url=${1#unix://}
  curl -fsS --max-time 2 --unix-socket "$url" http://engine/_ping >/dev/null 2>&1
}
if [ -n "${DOCKER_HOST:-}" ] && [[ "$DOCKER_HOST" != unix://* ]]; then
  echo "demo: using the engine at $DOCKER_HOST"
elif [ -n "${DOCKER_HOST:-}" ] && command -v curl >/dev/null && answers "$DOCKER_HOST"; then
  echo "demo: using the engine at $DOCKER_HOST"
elif [ -z "${DOCKER_HOST:-}" ] && command -v curl >/dev/null && answers unix:///var/run/docker.sock; then
  echo "demo: using the engine at unix:///var/run/docker.sock"
else
  bash scripts/docker-env.sh install
  bash scripts/docker-env.sh start
  eval "$(bash scripts/docker-env.sh env)"
fi
export DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}
[ -f dist/bundle/main.cjs ] || npm run build --silent
# The demo's state lives in .demo/ so it never mixes with a cluster.yml of your own.
mkdir -p .demo
cp cluster.example.yml .demo/cluster.yml
cd .demo
# apply prints the plan, live progress, and the status table of the machines it made
node ../bin/cluster.js apply --auto-approve
echo
echo "demo: done. Try: node bin/cluster.js plan -f .demo/cluster.yml   (no changes)"
echo "      and:       node bin/cluster.js destroy -f .demo/cluster.yml --auto-approve"
