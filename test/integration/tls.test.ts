// Remote engines over TCP are reached with TLS and client certificates, verified both ways. The
// endpoint is a real TLS server (requestCert, rejectUnauthorized) in front of the private dockerd,
// so no second daemon has to share this host's networking; the test makes its own CA and certs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connect } from '../../src/providers/docker/engine.js';
import { background } from '../support/background.js';
import { DOCKER_HOST } from './env.js';

const dir = mkdtempSync(join(tmpdir(), 'cl-tls-'));
let server: Server;
let url = '';

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}-key.pem`, '-out', `${name}.pem`);
}

function makeCert(name: string, ca: string, ext: string): void {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
}

beforeAll(async () => {
  makeCa('ca');
  makeCa('other-ca');
  makeCert('server', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  makeCert('client', 'ca', 'extendedKeyUsage=clientAuth\n');
  makeCert('stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');
  const pem = (f: string) => readFileSync(join(dir, f));
  const socket = DOCKER_HOST.replace(/^unix:\/\//, '');
  server = createServer({ key: pem('server-key.pem'), cert: pem('server.pem'), ca: pem('ca.pem'), requestCert: true, rejectUnauthorized: true }, (client) => {
    const engine = netConnect(socket);
    client.pipe(engine).pipe(client);
    client.on('error', () => engine.destroy());
    engine.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `tcp://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server?.close();
});

test('the generic driver reaches a TLS engine with client certificates; others are refused', async () => {
  const file = join(dir, 'cluster.yml');
  writeFileSync(file, `name: tls\nmachines:\n  remote:\n    driver: generic\n    url: ${url}\n    tls: { ca: ca.pem, cert: client.pem, key: client-key.pem }\n`);
  // Asynchronously: the TLS endpoint lives in this process and must keep answering meanwhile.
  const ls = background(['ls', '--json', '-f', file], { cwd: dir, env: { DOCKER_HOST: undefined } });
  expect(await ls.exited(), ls.output()).toBe(0);
  expect(JSON.parse(ls.output())).toMatchObject([{ name: 'remote', driver: 'generic', state: 'running', url }]);

  expect(await connect(url, { ca: join(dir, 'ca.pem') }).ping()).toBe(false); // no client certificate
  expect(await connect(url, { ca: join(dir, 'ca.pem'), cert: join(dir, 'stranger.pem'), key: join(dir, 'stranger-key.pem') }).ping()).toBe(false); // client from another CA
  expect(await connect(url, { ca: join(dir, 'other-ca.pem'), cert: join(dir, 'client.pem'), key: join(dir, 'client-key.pem') }).ping()).toBe(false); // server not trusted
  expect(await connect(url.replace('tcp:', 'http:')).ping()).toBe(false); // plain HTTP
});
