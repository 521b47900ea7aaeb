// Bare hosts for the ssh driver's tests: containers that run only sshd on a minimal Debian, with no
// Docker and no internet, as a fresh server would be (the ENVIRONMENT has no KVM for real VMs). The
// image is built offline from this computer's Debian mirror access, once per recipe:
//   - debootstrap (minbase) of this computer's Debian release, with openssh-server and sudo;
//   - a local apt repository (/opt/cluster-debs, `deb [trusted=yes] file:...`) holding docker.io and
//     its dependencies, downloaded here against the rootfs' own package status: inside, `apt-get
//     install docker.io` works as on a server with package access, and the apt lists start empty
//     (the driver's `apt-get update` retry is exercised);
//   - users: root and `plain` (no sudo), both logging in with the key given at run time;
//   - an entrypoint that remounts cgroups read-write (as the Docker-in-Docker node image does, so
//     the engine the driver installs can run containers), optionally replaces /etc/os-release
//     (the unsupported-OS case), makes host keys and runs sshd.
// scripts/docker-env.sh install installs debootstrap and dpkg-dev for this.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';

const ENTRYPOINT = `#!/bin/sh
set -e
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  mount -o remount,rw /sys/fs/cgroup 2>/dev/null || true
else
  grep ' - cgroup ' /proc/self/mountinfo | while read -r _ _ _ _ point _rest; do
    opts=$(grep " $point " /proc/self/mountinfo | sed 's/.* - cgroup [^ ]* //' | tr ',' '\\n' | grep -v -e '^rw$' -e '^ro$' | tr '\\n' ',' | sed 's/,$//')
    { umount "$point" && mount -t cgroup -o "$opts" cgroup "$point"; } || echo "bare-host: could not remount $point" >&2
  done
fi
if [ -n "\${OS_RELEASE:-}" ]; then rm -f /etc/os-release; printf '%s\\n' "$OS_RELEASE" > /etc/os-release; fi
for home in /root /home/plain; do
  mkdir -p $home/.ssh && printf '%s\\n' "$AUTHORIZED_KEY" > $home/.ssh/authorized_keys
done
chown -R plain:plain /home/plain/.ssh
mkdir -p /run/sshd
ssh-keygen -A >/dev/null
exec /usr/sbin/sshd -D -e
`;

const RECIPE = createHash('sha256').update(ENTRYPOINT).update('minbase,openssh-server,sudo,docker.io(uncompressed),plain').digest('hex').slice(0, 10);
export const BARE_HOST_IMAGE = `cluster-bare-host:${RECIPE}`;

function sh(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...opts });
}

/** Builds the image unless the engine has it (about a minute: debootstrap from the Debian mirror). */
export async function ensureBareHostImage(docker: Dockerode, log: (line: string) => void = () => undefined): Promise<string> {
  if (await docker.getImage(BARE_HOST_IMAGE).inspect().then(() => true, () => false)) return BARE_HOST_IMAGE;
  const os = Object.fromEntries(readFileSync('/etc/os-release', 'utf8').split('\n').map((l) => l.split('=')).filter((p) => p.length === 2).map(([k, v]) => [k, v!.replace(/"/g, '')]));
  const suite = os.VERSION_CODENAME ?? 'bookworm';
  const mirror = process.env.CLUSTER_TEST_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
  const work = mkdtempSync(join(tmpdir(), 'cluster-bare-host-'));
  const root = join(work, 'rootfs');
  try {
    log(`bare host image: debootstrap ${suite} from ${mirror}`);
    sh('debootstrap', ['--variant=minbase', '--include=openssh-server,sudo', suite, root, mirror]);
    const debs = join(root, 'opt/cluster-debs');
    mkdirSync(debs, { recursive: true });
    sh('apt-get', ['install', '-y', '-qq', '--download-only', '--no-install-recommends', '-o', `Dir::Cache::archives=${debs}`, '-o', `Dir::State::status=${join(root, 'var/lib/dpkg/status')}`, 'docker.io']);
    rmSync(join(debs, 'partial'), { recursive: true, force: true });
    rmSync(join(debs, 'lock'), { force: true });
    // Each package re-built with uncompressed members (dpkg-deb -Znone; same files, same control data): a
    // host's `apt-get install docker.io` then unpacks in 1.6 CPU-s instead of 4.8 (xz), and the tests
    // install it on several hosts.
    for (const deb of readdirSync(debs).filter((f) => f.endsWith('.deb'))) {
      const unpacked = join(work, 'deb');
      sh('dpkg-deb', ['--raw-extract', join(debs, deb), unpacked]);
      sh('dpkg-deb', ['-Znone', '--build', unpacked, join(debs, deb)]);
      rmSync(unpacked, { recursive: true, force: true });
    }
    writeFileSync(join(debs, 'Packages'), sh('dpkg-scanpackages', ['.', '/dev/null'], { cwd: debs }));
    writeFileSync(join(root, 'etc/apt/sources.list'), 'deb [trusted=yes] file:/opt/cluster-debs ./\n');
    rmSync(join(root, 'var/cache/apt/archives'), { recursive: true, force: true });
    mkdirSync(join(root, 'var/cache/apt/archives/partial'), { recursive: true });
    sh('chroot', [root, 'useradd', '--create-home', '--shell', '/bin/sh', 'plain']);
    writeFileSync(join(root, 'usr/local/sbin/bare-host-init'), ENTRYPOINT, { mode: 0o755 });
    log('bare host image: importing');
    const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const stream = await docker.importImage(tar.stdout as unknown as string, { repo: 'cluster-bare-host', tag: RECIPE, changes: ['ENTRYPOINT ["/usr/local/sbin/bare-host-init"]', 'VOLUME /var/lib/docker', 'EXPOSE 22'] } as object);
    const events = await new Promise<{ error?: string }[]>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => (err ? reject(err) : resolve(out))));
    const failed = events.find((e) => e.error);
    if (failed) throw new Error(`importing ${BARE_HOST_IMAGE} failed: ${failed.error}`);
    return BARE_HOST_IMAGE;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A bare host on `network`: only sshd runs. Capabilities as the docker driver's machines (the
 * engine the driver installs needs them; --privileged fails in some sandboxes, ENVIRONMENT.md).
 */
export async function startBareHost(docker: Dockerode, o: { name: string; network: string; authorizedKey: string; labels: Record<string, string>; osRelease?: string }): Promise<{ id: string; address: string }> {
  const c = await docker.createContainer({
    name: o.name,
    Image: BARE_HOST_IMAGE,
    Hostname: o.name,
    Env: [`AUTHORIZED_KEY=${o.authorizedKey}`, ...(o.osRelease ? [`OS_RELEASE=${o.osRelease}`] : [])],
    Labels: o.labels,
    HostConfig: <Dockerode.HostConfig>{
      NetworkMode: o.network,
      Tmpfs: { '/run': '' },
      CapAdd: ['ALL'],
      CapDrop: ['SYS_RESOURCE'],
      SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
      MaskedPaths: [],
      ReadonlyPaths: [],
    },
  });
  await c.start();
  const info = await c.inspect();
  return { id: c.id, address: info.NetworkSettings.Networks[o.network]!.IPAddress };
}
