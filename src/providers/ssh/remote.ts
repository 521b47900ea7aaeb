// The shell scripts run on an ssh machine (as root, with sh). Every one is safe to run again, and
// safe to kill at any line: files are written to a temp name and renamed, the package install
// resumes with `dpkg --configure -a`, and dockerd is found again by its pidfile (hosts without
// systemd) or through systemd. Values reach the scripts only base64-encoded, never as shell text.

/** The engine's files on the host. */
export const REMOTE = {
  daemonJson: '/etc/docker/daemon.json',
  certDir: '/etc/docker/cluster',
  dropIn: '/etc/systemd/system/docker.service.d/cluster.conf',
  pidfile: '/var/run/docker.pid',
  log: '/var/log/cluster-dockerd.log',
} as const;

export const TLS_PORT = 2376;

/** Exit codes the driver turns into messages. */
export const EXIT = { noPackages: 20, engineFailed: 21, notInstalled: 22 } as const;

const PRELUDE = `set -eu
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
umask 022
# One script at a time on a host: a run killed here leaves its script running on the host (sshd
# does not stop it), and the next run must wait for it rather than race it through apt and dockerd.
exec 9>/run/cluster-engine.lock
flock -w 900 9
changed=0
# put PATH MODE BASE64: write the file whole (temp + rename); changed=1 when its content differs.
put() {
  mkdir -p "$(dirname "$1")"
  printf '%s' "$3" | base64 -d > "$1.cluster-new"
  chmod "$2" "$1.cluster-new"
  if cmp -s "$1.cluster-new" "$1"; then rm -f "$1.cluster-new"; else mv -f "$1.cluster-new" "$1"; changed=1; fi
}
systemd() { [ -d /run/systemd/system ]; }
running() { pid=$(cat ${REMOTE.pidfile} 2>/dev/null || true); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
# restart_engine: dockerd stopped (30 s, as docker's own shutdown-timeout allows) and started again.
restart_engine() {
  if systemd; then systemctl restart docker >&2; return; fi
  if running; then kill "$pid"; i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; ! kill -0 "$pid" 2>/dev/null || kill -9 "$pid"; fi
  rm -f ${REMOTE.pidfile}
  setsid nohup dockerd --config-file ${REMOTE.daemonJson} --pidfile ${REMOTE.pidfile} >> ${REMOTE.log} 2>&1 < /dev/null 9>&- &
}
`;

export function daemonJson(labels: Record<string, string>, options: Record<string, unknown> = {}): string {
  // Labels and listeners only here, never also as dockerd flags: dockerd refuses a setting given both ways.
  const body = {
    ...options,
    hosts: ['unix:///var/run/docker.sock', `tcp://0.0.0.0:${TLS_PORT}`],
    tls: true,
    tlsverify: true,
    tlscacert: `${REMOTE.certDir}/ca.pem`,
    tlscert: `${REMOTE.certDir}/server.pem`,
    tlskey: `${REMOTE.certDir}/server-key.pem`,
    labels: Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`),
  };
  return JSON.stringify(body, null, 2) + '\n';
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Who we are on the host: prints the uid (0 when root or through sudo). */
export const WHOAMI = 'id -u';

export interface EngineFiles {
  ca: string;
  cert: string;
  key: string;
  daemonJson: string;
}

/**
 * Install the engine (Debian's docker.io) when missing, write its certificates and daemon.json,
 * and (re)start dockerd: restarted when the certificates changed, reloaded (SIGHUP: labels) when
 * only daemon.json did, started when not running.
 */
export function provisionScript(files: EngineFiles, restartOnConfig = false): string {
  return `${PRELUDE}
install -d -m 0755 /etc/docker
install -d -m 0700 ${REMOTE.certDir}
put ${REMOTE.certDir}/ca.pem 0644 ${b64(files.ca)}
put ${REMOTE.certDir}/server.pem 0644 ${b64(files.cert)}
put ${REMOTE.certDir}/server-key.pem 0600 ${b64(files.key)}
certs=$changed; changed=0
put ${REMOTE.daemonJson} 0644 ${b64(files.daemonJson)}
config=$changed; changed=0
# Engine options dockerd reads only at start: a changed daemon.json restarts a running engine.
${restartOnConfig ? '[ $config = 0 ] || certs=1' : ''}
if systemd; then
  # Debian's unit starts dockerd with -H fd://, which clashes with "hosts" in daemon.json.
  put ${REMOTE.dropIn} 0644 ${b64('[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd --config-file /etc/docker/daemon.json\n')}
  [ $changed = 0 ] || systemctl daemon-reload
fi
# Installed means configured: a host that went down during dpkg has dockerd unpacked but not set
# up. An engine from another package (docker-ce) is used as it is.
st=$(dpkg-query -W -f '\${Status}' docker.io 2>/dev/null || true)
if ! command -v dockerd >/dev/null 2>&1 || { [ -n "$st" ] && [ "$st" != 'install ok installed' ] && [ "$st" != 'unknown ok not-installed' ]; }; then
  export DEBIAN_FRONTEND=noninteractive
  dpkg --configure -a >&2 || true
  if ! systemd && [ ! -e /usr/sbin/policy-rc.d ]; then
    # No init system to start it properly: the package must not start dockerd itself; we do, below.
    printf '#!/bin/sh\\n# cluster: engine install in progress\\nexit 101\\n' > /usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d
  fi
  apt-get install -y -q --no-install-recommends docker.io >&2 || { apt-get update -q >&2 && apt-get install -y -q --no-install-recommends docker.io >&2; } || { grep -q '^# cluster:' /usr/sbin/policy-rc.d 2>/dev/null && rm -f /usr/sbin/policy-rc.d; exit ${EXIT.noPackages}; }
  if grep -q '^# cluster:' /usr/sbin/policy-rc.d 2>/dev/null; then rm -f /usr/sbin/policy-rc.d; fi
  certs=1
fi
if systemd; then
  systemctl enable docker >&2
  if [ $certs = 1 ]; then systemctl restart docker >&2; elif [ $config = 1 ]; then systemctl reload-or-restart docker >&2; else systemctl start docker >&2; fi
else
  if running && [ $certs = 1 ]; then
    kill "$pid"; i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
  fi
  if running; then
    [ $config = 0 ] || kill -HUP "$pid"
  else
    rm -f ${REMOTE.pidfile}
    setsid nohup dockerd --config-file ${REMOTE.daemonJson} --pidfile ${REMOTE.pidfile} >> ${REMOTE.log} 2>&1 < /dev/null 9>&- &
  fi
fi
echo "cluster: certs=$certs config=$config"
`;
}

/** New labels: rewrite daemon.json and have dockerd reload it (SIGHUP), nothing restarts. */
export function labelsScript(daemon: string): string {
  return `${PRELUDE}
put ${REMOTE.daemonJson} 0644 ${b64(daemon)}
if systemd; then systemctl reload docker >&2; elif running; then kill -HUP "$pid"; else exit ${EXIT.engineFailed}; fi
`;
}

/**
 * New `engine:` options: daemon.json rewritten, then dockerd reloaded (SIGHUP: the keys dockerd
 * reloads) or restarted (the rest). Prints "since <host time>" before a reload, so the driver looks
 * for the engine's own `reload` event from then, on the host's clock.
 */
export function engineConfigScript(daemon: string, how: 'reload' | 'restart'): string {
  return `${PRELUDE}
put ${REMOTE.daemonJson} 0644 ${b64(daemon)}
${how === 'reload'
    ? `echo "since $(date +%s.%N)"
if systemd; then systemctl reload docker >&2; elif running; then kill -HUP "$pid"; else exit ${EXIT.engineFailed}; fi`
    : 'restart_engine'}
`;
}

/** Start a stopped engine (started again as provisioning left it). */
export const START_SCRIPT = `${PRELUDE}
if systemd; then systemctl start docker >&2
elif ! running; then
  rm -f ${REMOTE.pidfile}
  setsid nohup dockerd --config-file ${REMOTE.daemonJson} --pidfile ${REMOTE.pidfile} >> ${REMOTE.log} 2>&1 < /dev/null 9>&- &
fi
`;

export const STOP_SCRIPT = `${PRELUDE}
if systemd; then systemctl stop docker >&2 || true
elif running; then
  kill "$pid"; i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
  ! kill -0 "$pid" 2>/dev/null || kill -9 "$pid"
fi
`;

/**
 * Give the host back: the engine stopped and this tool's configuration removed; with `purge`, the
 * docker.io package and the engine's data (/var/lib/docker) too.
 */
export function removeScript(purge: boolean): string {
  return `${STOP_SCRIPT}
if systemd; then systemctl disable docker >&2 2>/dev/null || true; rm -f ${REMOTE.dropIn}; systemctl daemon-reload || true; fi
rm -rf ${REMOTE.certDir}
rm -f ${REMOTE.daemonJson}
${purge ? `export DEBIAN_FRONTEND=noninteractive
dpkg --configure -a >&2 || true
if dpkg -s docker.io >/dev/null 2>&1; then apt-get purge -y -q docker.io >&2; fi
# /var/lib/docker may be a mount point: empty it rather than remove it.
rm -rf /etc/docker
if [ -d /var/lib/docker ]; then find /var/lib/docker -mindepth 1 -maxdepth 1 -exec rm -rf {} +; rmdir /var/lib/docker 2>/dev/null || true; fi` : ''}
`;
}

/** The log's last lines, for an engine that does not come up. */
export const LOG_TAIL = `tail -n 15 ${REMOTE.log} 2>/dev/null || journalctl -u docker -n 15 --no-pager 2>/dev/null || true`;

/**
 * `cluster upgrade`: docker.io to the newest version the host's package source has, the engine
 * restarted only when the version changed. Prints "<before> <after>".
 */
export const UPGRADE_SCRIPT = `${PRELUDE}
export DEBIAN_FRONTEND=noninteractive
dpkg --configure -a >&2 || true
before=$(dpkg-query -W -f '\${Version}' docker.io 2>/dev/null || true)
[ -n "$before" ] || exit ${EXIT.notInstalled}
apt-get update -q >&2 || exit ${EXIT.noPackages}
created=0
if ! systemd && [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\\n# cluster: engine install in progress\\nexit 101\\n' > /usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d; created=1
fi
apt-get install -y -q --only-upgrade --no-install-recommends docker.io >&2 || { [ $created = 0 ] || rm -f /usr/sbin/policy-rc.d; exit ${EXIT.noPackages}; }
[ $created = 0 ] || rm -f /usr/sbin/policy-rc.d
after=$(dpkg-query -W -f '\${Version}' docker.io)
if [ "$before" != "$after" ]; then
  if systemd; then systemctl restart docker >&2
  else
    if running; then kill "$pid"; i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; fi
    rm -f ${REMOTE.pidfile}
    setsid nohup dockerd --config-file ${REMOTE.daemonJson} --pidfile ${REMOTE.pidfile} >> ${REMOTE.log} 2>&1 < /dev/null 9>&- &
  fi
fi
echo "$before $after"
`;
