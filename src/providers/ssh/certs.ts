// The cluster's certificate authority and the certificates made from it, with the openssl CLI (no
// well-kept X.509 library is in the dependency tree; Node's crypto can read certificates but not
// issue them). As docker-machine did (~/.docker/machine/certs): one CA per cluster and one client
// certificate under `.cluster/certs/<cluster>/` (ca.pem, cert.pem, key.pem: what DOCKER_CERT_PATH
// expects), and one server certificate per machine, for the address the engine is reached at.
// Keys are 0600 in 0700 folders. Each file is written to a temp name and renamed, the key before
// its certificate, so a run killed half-way leaves either nothing or a usable pair.
import { execFileSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

const CA_DAYS = '3650';
const CERT_DAYS = '1095';

export interface ClientFiles {
  /** DOCKER_CERT_PATH */
  dir: string;
  ca: string;
  cert: string;
  key: string;
}

export function certsDir(stateDir: string, cluster: string): string {
  return join(stateDir, 'certs', cluster);
}

/** The CA and the client certificate, made once per cluster. */
export function ensureClientCerts(stateDir: string, cluster: string): ClientFiles {
  const dir = certsDir(stateDir, cluster);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const files = { dir, ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
  if (!existsSync(files.ca)) {
    withScratch(dir, (tmp) => {
      openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(tmp, 'ca-key.pem'), '-out', join(tmp, 'ca.pem'), '-days', CA_DAYS, '-subj', `/O=cluster/CN=${cluster} CA`]);
      place(join(tmp, 'ca-key.pem'), join(dir, 'ca-key.pem'), 0o600);
      place(join(tmp, 'ca.pem'), files.ca, 0o644);
    });
  }
  if (!existsSync(files.cert)) issue(dir, { out: dir, name: 'cert', key: 'key', subject: `/O=cluster/CN=${cluster} client`, usage: 'clientAuth' });
  return files;
}

/** The engine's certificate for `address` (IP or DNS name), made when missing or when `renew`. */
export function ensureServerCert(stateDir: string, cluster: string, machineDir: string, address: string, renew = false): { cert: string; key: string } {
  const ca = certsDir(stateDir, cluster);
  mkdirSync(machineDir, { recursive: true, mode: 0o700 });
  const cert = join(machineDir, 'server.pem');
  if (renew || !existsSync(cert) || !coversAddress(readFileSync(cert, 'utf8'), address)) {
    const san = [isIP(address) ? `IP:${address}` : `DNS:${address}`, 'DNS:localhost', 'IP:127.0.0.1'].join(',');
    issue(ca, { out: machineDir, name: 'server', key: 'server-key', subject: `/O=cluster/CN=${address}`, usage: 'serverAuth', san });
  }
  return { cert, key: join(machineDir, 'server-key.pem') };
}

function coversAddress(pem: string, address: string): boolean {
  const x = new X509Certificate(pem);
  return (isIP(address) ? x.checkIP(address) : x.checkHost(address)) !== undefined;
}

function issue(caDir: string, o: { out: string; name: string; key: string; subject: string; usage: string; san?: string }): void {
  withScratch(o.out, (tmp) => {
    const ext = join(tmp, 'ext.cnf');
    writeFileSync(ext, `extendedKeyUsage=${o.usage}\nkeyUsage=digitalSignature,keyEncipherment\n${o.san ? `subjectAltName=${o.san}\n` : ''}`);
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(tmp, 'key.pem'), '-out', join(tmp, 'req.csr'), '-subj', o.subject]);
    openssl(['x509', '-req', '-in', join(tmp, 'req.csr'), '-CA', join(caDir, 'ca.pem'), '-CAkey', join(caDir, 'ca-key.pem'), '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', CERT_DAYS, '-extfile', ext, '-out', join(tmp, 'cert.pem')]);
    place(join(tmp, 'key.pem'), join(o.out, `${o.key}.pem`), 0o600);
    place(join(tmp, 'cert.pem'), join(o.out, `${o.name}.pem`), 0o644);
  });
}

function withScratch(dir: string, fn: (tmp: string) => void): void {
  const tmp = mkdtempSync(join(dir, '.new-'));
  chmodSync(tmp, 0o700);
  try {
    fn(tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function place(from: string, to: string, mode: number): void {
  chmodSync(from, mode);
  renameSync(from, to);
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('the ssh driver makes its certificates with the openssl command, which is not installed here (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString().trim() ?? e.message}`);
  }
}
