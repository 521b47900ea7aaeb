// An offline Docker-in-Docker node image, for hosts that cannot pull `docker:dind`: a rootfs made
// of the host's own engine binaries (dockerd, containerd, runc, ...), the shared libraries ldd lists
// for them, iptables (legacy) with its extension modules, and busybox for a shell, imported with
// POST /images/create?fromSrc=- like `docker import`. Built once per host engine version.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type Dockerode from 'dockerode';

const ENGINE_BINARIES = ['dockerd', 'containerd', 'containerd-shim-runc-v2', 'runc', 'docker-init', 'docker-proxy', 'xtables-legacy-multi', 'docker'];
/** Nice to have: the machine still works without them. */
const OPTIONAL = new Set(['docker-init', 'docker']);
const IPTABLES = ['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore'];
const SHELL_APPLETS = ['sh', 'mount', 'umount', 'mkdir', 'cat', 'grep', 'sed', 'awk', 'cut', 'sleep', 'ls', 'rm', 'echo', 'tr', 'modprobe', 'ps', 'kill', 'ln', 'cp', 'mv', 'chmod', 'env', 'test', '['];
const XTABLES_MODULES = ['/usr/lib/x86_64-linux-gnu/xtables', '/usr/lib/aarch64-linux-gnu/xtables', '/usr/lib/xtables', '/lib/xtables'];
const PATHS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export const NODE_ENTRYPOINT = '/usr/local/bin/cluster-node-entrypoint';

/** Changes whenever the recipe below changes, so a stale node image is never reused. */
export function nodeRecipeVersion(): string {
  return createHash('sha256').update(ENTRYPOINT).update(ENGINE_BINARIES.join(',')).update('var-run-link').digest('hex').slice(0, 8);
}

// Container runtimes mount cgroups read-only; a nested engine must create cgroups, so remount each
// hierarchy read-write (v1: one mount per controller, v2: one unified mount) before dockerd starts.
const ENTRYPOINT = `#!/bin/sh
set -e
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  mount -o remount,rw /sys/fs/cgroup 2>/dev/null || true
  # cgroup v2: move out of the root group so controllers can be delegated (as docker:dind does)
  mkdir -p /sys/fs/cgroup/init 2>/dev/null && xargs -rn1 < /sys/fs/cgroup/cgroup.procs > /sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
  sed -e 's/ / +/g' -e 's/^/+/' < /sys/fs/cgroup/cgroup.controllers > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
else
  # One awk pass lists each hierarchy with its options less rw/ro (a grep|sed|tr pipeline per
  # hierarchy cost ~70 ms of every machine's boot in process starts; this ~15 ms).
  awk '/ - cgroup / { split($0, p, " - "); split(p[2], f, " "); n = split(f[3], o, ","); opts = ""; for (i = 1; i <= n; i++) if (o[i] != "rw" && o[i] != "ro") opts = opts (opts == "" ? "" : ",") o[i]; print $5, opts }' /proc/self/mountinfo | while read -r point opts; do
    { umount "$point" && mount -t cgroup -o "$opts" cgroup "$point"; } || echo "cluster-node: could not remount $point read-write" >&2
  done
fi
# A machine restart keeps the container's filesystem: stale pid files would stop dockerd/containerd.
rm -f /run/docker.pid /run/docker/containerd/containerd.pid /var/run/docker.pid
mkdir -p /engine
[ -f /engine/daemon.json ] || echo '{}' > /engine/daemon.json
export DOCKER_HOST=unix:///engine/docker.sock
exec dockerd --host unix:///engine/docker.sock --config-file /engine/daemon.json "$@"
`;

export async function buildNodeImage(docker: Dockerode, tag: string, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  const root = mkdtempSync(join(tmpdir(), 'cluster-node-'));
  try {
    stageRootfs(root);
    await importRootfs(docker, root, tag, [`ENTRYPOINT ["${NODE_ENTRYPOINT}"]`, 'VOLUME /var/lib/docker', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    const { Size } = await docker.getImage(tag).inspect();
    log(`built ${tag} (${Math.round(Size / 1e6)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** busybox:latest (or `tag`) from the host's static busybox: the workload image tests and the demo use offline. */
export async function buildWorkloadImage(docker: Dockerode, tag = 'busybox:latest'): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'cluster-busybox-'));
  try {
    const busybox = which('busybox');
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync(busybox, join(root, 'bin/busybox'));
    chmodSync(join(root, 'bin/busybox'), 0o755);
    const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
    for (const a of applets) symlinkSync('busybox', join(root, 'bin', a));
    baseFiles(root);
    await importRootfs(docker, root, tag, ['CMD ["/bin/sh"]', 'ENV PATH=/bin']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function stageRootfs(root: string): void {
  const libs = new Set<string>();
  for (const name of ENGINE_BINARIES) {
    const path = whichOptional(name);
    if (!path) {
      if (OPTIONAL.has(name)) continue; // docker-init: --init containers only; docker: `cluster ssh m -- docker ps`
      throw new Error(`cannot build the node image offline: ${name} is not installed on this host (apt-get install docker.io)`);
    }
    copyInto(root, path, `/usr/local/bin/${name}`);
    for (const lib of sharedLibraries(path)) libs.add(lib);
  }
  for (const lib of libs) copyInto(root, lib, lib);
  for (const name of IPTABLES) {
    symlinkSync('xtables-legacy-multi', join(root, 'usr/local/bin', name));
    symlinkSync('xtables-legacy-multi', join(root, 'usr/local/bin', name.replace(/^(ip6?tables)/, '$1-legacy')));
  }
  const modules = XTABLES_MODULES.find((d) => existsSync(d));
  // ldd (a shell script) costs ~70 ms a file, ~10 s for xtables' 120 modules on a busy host; the
  // loader lists a shared object's libraries itself in ~10 ms. (Not for executables: on a static one it crashes.)
  const loader = [...libs].find((l) => /^ld[-.]|^ld64/.test(basename(l)));
  if (modules) {
    for (const f of readdirSync(modules)) {
      copyInto(root, join(modules, f), join(modules, f));
      for (const lib of sharedLibraries(join(modules, f), loader)) if (!libs.has(lib)) (libs.add(lib), copyInto(root, lib, lib));
    }
  }
  const busybox = which('busybox');
  copyInto(root, busybox, '/bin/busybox');
  for (const a of SHELL_APPLETS) if (!existsSync(join(root, 'bin', a))) symlinkSync('busybox', join(root, 'bin', a));
  for (const a of ['xargs', 'head', 'tail', 'true', 'false']) if (!existsSync(join(root, 'bin', a))) symlinkSync('busybox', join(root, 'bin', a));
  baseFiles(root);
  mkdirSync(join(root, 'var/lib/docker'), { recursive: true });
  mkdirSync(join(root, 'engine'), { recursive: true });
  mkdirSync(join(root, 'run'), { recursive: true });
  // /var/run is /run (a tmpfs in every machine): runtime state never outlives a restart.
  mkdirSync(join(root, 'var'), { recursive: true });
  symlinkSync('../run', join(root, 'var/run'));
  writeFileSync(join(root, NODE_ENTRYPOINT.slice(1)), ENTRYPOINT, { mode: 0o755 });
}

function baseFiles(root: string): void {
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'tmp'), { recursive: true, mode: 0o1777 });
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\ndocker:x:999:\nnogroup:x:65534:\n');
}

/** Copy a file (following symlinks) to the same place inside the rootfs. */
function copyInto(root: string, from: string, to: string): void {
  const dest = join(root, to);
  mkdirSync(dirname(dest), { recursive: true });
  if (!existsSync(dest)) copyFileSync(realpathSync(from), dest);
  chmodSync(dest, 0o755);
}

/** The libraries `ldd` lists (absolute paths, the loader included); `loader --list` when given, for shared objects only. */
function sharedLibraries(file: string, loader?: string): string[] {
  let out: string;
  try {
    out = execFileSync(loader ?? 'ldd', loader ? ['--list', file] : [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return []; // static binary
  }
  return [...out.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1]!);
}

function whichOptional(name: string): string | undefined {
  for (const dir of PATHS) if (existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

function which(name: string): string {
  const path = whichOptional(name);
  if (!path) throw new Error(`${name} is not installed on this host (apt-get install ${name === 'busybox' ? 'busybox-static' : name})`);
  return path;
}

async function importRootfs(docker: Dockerode, root: string, tag: string, changes: string[]): Promise<void> {
  const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const [repo, version] = splitTag(tag);
  const stream = await docker.importImage(tar.stdout as unknown as string, { repo, tag: version, changes } as object);
  const events = await new Promise<{ error?: string }[]>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => (err ? reject(err) : resolve(out))));
  const failed = events.find((e) => e.error);
  if (failed) throw new Error(`importing ${tag} failed: ${failed.error}`);
}

function splitTag(tag: string): [string, string] {
  const at = tag.lastIndexOf(':');
  return at > tag.lastIndexOf('/') ? [tag.slice(0, at), tag.slice(at + 1)] : [tag, 'latest'];
}
