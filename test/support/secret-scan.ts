// Every CLI run in the test suite is scanned for secrets: the values of the variables it was given
// (environment, and .env in its folder) whose names say they are secret must never be printed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SECRET_NAME = /PASSWORD|PASSWD|TOKEN|SECRET|KEY|CREDENTIAL/i;
// Values this short or this common would match by accident (e.g. "1", "true").
const MIN_LENGTH = 6;

export function secretsGiven(env: Record<string, string | undefined>, cwd?: string): string[] {
  const values = Object.entries(env).filter(([k, v]) => SECRET_NAME.test(k) && v && v.length >= MIN_LENGTH).map(([, v]) => v!);
  const dotEnv = cwd && join(cwd, '.env');
  if (dotEnv && existsSync(dotEnv)) {
    for (const line of readFileSync(dotEnv, 'utf8').split('\n')) {
      const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*['"]?(.*?)['"]?\s*$/.exec(line);
      if (m && SECRET_NAME.test(m[1]!) && m[2]!.length >= MIN_LENGTH) values.push(m[2]!);
    }
  }
  return values;
}

/** Throws, failing the test, when the output shows one of the secrets. */
export function assertNoSecret(output: string, secrets: string[], what: string): void {
  const leaked = secrets.find((s) => output.includes(s));
  if (leaked) throw new Error(`secret scan: \`cluster ${what}\` printed the value of a secret variable (${leaked.slice(0, 2)}…)`);
}

/**
 * The text of these files (folders: the files in them) as a scan sees it. A simulated engine keeps
 * the image reference it pulled and ran (its `images` list, a container's `image`), as a real
 * engine's image store and container config do, so those are left out: an image tag taken from a
 * secret variable must reach the engine, and is masked everywhere else (labels, plans, output).
 */
export function secretsInFiles(paths: string[]): string {
  const texts: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const files = statSync(p).isDirectory() ? readdirSync(p).map((f) => join(p, f)).filter((f) => statSync(f).isFile()) : [p];
    for (const f of files) texts.push(readFileSync(f, 'utf8').replace(/"images":\[[^\]]*\]/g, '"images":[]').replace(/"image":"[^"]*"/g, '"image":""'));
  }
  return texts.join('\n');
}
