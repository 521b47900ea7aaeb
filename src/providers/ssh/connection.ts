// One SSH login to a host (the ssh2 package): run a shell script as root (directly, or through
// `sudo -n` for another user) and read its output. Authentication: the machine's `identity` key,
// else the agent (SSH_AUTH_SOCK), else ~/.ssh/id_ed25519, id_ecdsa, id_rsa. The host key is judged
// before anything is sent (./host-keys.ts).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Client, type ConnectConfig } from 'ssh2';
import { EngineError } from '../../engine/errors.js';
import { UserError } from '../../model/diagnostic.js';
import { judgeHostKey, userKnownHosts, type HostKeyVerdict } from './host-keys.js';
import { describeTarget, type SshTarget } from './target.js';

const CONNECT_TIMEOUT_MS = 20_000;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class SshConnection {
  private constructor(
    private readonly client: Client,
    readonly target: SshTarget,
    /** The host key the server offered (base64), to pin once provisioning succeeds. */
    readonly hostKey: string,
  ) {}

  /** Logs in, or fails with what was wrong: the host key, the key, the address. */
  static async open(target: SshTarget, pinned: string | undefined): Promise<SshConnection> {
    const client = new Client();
    let verdict: HostKeyVerdict | undefined;
    let offered = '';
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      readyTimeout: CONNECT_TIMEOUT_MS,
      hostVerifier: (key: Buffer) => {
        offered = key.toString('base64');
        verdict = judgeHostKey(key, target.host, target.port, target.hostKey, pinned, userKnownHosts());
        return verdict.ok;
      },
      ...credentials(target),
    };
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', (err: Error & { level?: string }) => reject(explain(err, target, verdict)));
      client.connect(config);
    });
    return new SshConnection(client, target, offered);
  }

  /** Runs `script` with sh as root; never throws for a non-zero exit (the caller reads `code`). */
  async runAsRoot(script: string): Promise<RunResult> {
    const command = this.target.user === 'root' ? 'sh -s' : 'sudo -n sh -s';
    return this.run(command, script);
  }

  run(command: string, stdin = ''): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, stream) => {
        if (err) return reject(new EngineError('unavailable', `ssh ${describeTarget(this.target)}: ${err.message}`, { cause: err }));
        const out: Buffer[] = [];
        const errs: Buffer[] = [];
        stream.on('data', (b: Buffer) => out.push(b));
        stream.stderr.on('data', (b: Buffer) => errs.push(b));
        stream.on('close', (code: number | null) => resolve({ code: code ?? 255, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errs).toString('utf8') }));
        stream.end(stdin);
      });
    });
  }

  close(): void {
    this.client.end();
  }
}

function credentials(target: SshTarget): Partial<ConnectConfig> {
  if (target.identity) {
    if (!existsSync(target.identity)) throw UserError.plain(`ssh machine ${describeTarget(target)}: the identity file ${target.identity} does not exist`, 'give `identity:` the path of a private key (relative to the manifest)');
    return { privateKey: readFileSync(target.identity) };
  }
  if (process.env.SSH_AUTH_SOCK) return { agent: process.env.SSH_AUTH_SOCK };
  const key = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(homedir(), '.ssh', f)).find((f) => existsSync(f));
  if (!key) throw UserError.plain(`ssh machine ${describeTarget(target)}: no key to log in with`, 'set `identity:` to a private key file, or run an ssh agent (SSH_AUTH_SOCK)');
  return { privateKey: readFileSync(key) };
}

function explain(err: Error & { level?: string; code?: string }, target: SshTarget, verdict: HostKeyVerdict | undefined): Error {
  const who = describeTarget(target);
  if (verdict && !verdict.ok) return UserError.plain(`ssh ${who}: ${verdict.message}`, verdict.hint);
  if (err.level === 'client-authentication') return UserError.plain(`ssh ${who}: the host refused the key (${target.identity ?? (process.env.SSH_AUTH_SOCK ? 'agent' : '~/.ssh/id_*')})`, `check \`user\` and \`identity\`; the public key must be in ~${target.user}/.ssh/authorized_keys on the host`);
  if (/encrypted|passphrase/i.test(err.message)) return UserError.plain(`ssh ${who}: the identity ${target.identity} is encrypted`, 'load it into an ssh agent (ssh-add) and leave `identity` unset');
  return new EngineError('unavailable', `ssh ${who}: ${err.message}`, { cause: err });
}
