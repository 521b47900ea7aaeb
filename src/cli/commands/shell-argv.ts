// The command lines `cluster ssh` and `cluster scp` run. Every value from the manifest or the
// command line goes after `--`, so a host, user, container or path that begins with `-` is never
// read as an option (`ssh -oProxyCommand=...` runs a command on this machine).
import { parseEngineUrl } from '../../manifest/engine-url.js';

/** `ssh [-p port] -- [user@]host [command...]` for an ssh:// engine URL; refuses a URL whose host or user is not plain. */
export function sshArgv(url: string, command: string[]): string[] {
  const r = parseEngineUrl(url);
  if (!r.ok) throw new Error(`${r.problem.message}; not passing it to ssh (${r.problem.hint})`);
  if (r.address?.scheme !== 'ssh') throw new Error(`${url} is not an ssh:// URL`);
  const { user, host, port } = r.address;
  const destination = `${user ? `${user}@` : ''}${host.replace(/^\[(.*)\]$/, '$1')}`;
  return [...(port ? ['-p', String(port)] : []), '--', destination, ...command];
}

/** `docker exec -i[t] -- container sh [-c command]`: a shell in a docker-driver machine. */
export function dockerExecArgv(container: string, command: string[], tty: boolean): string[] {
  return ['exec', tty && command.length === 0 ? '-it' : '-i', '--', container, ...(command.length ? ['sh', '-c', command.join(' ')] : ['sh'])];
}

/** `docker cp -- from to` (either side may be `container:path`). */
export function dockerCpArgv(from: string, to: string): string[] {
  return ['cp', '--', from, to];
}
