// Debian's chromium, headless, for tests that look at what a user's browser would show. When it is
// missing, `scripts/docker-env.sh browser` installs it (as CI's `install` step does); only when that
// fails too is there no browser, and the caller skips saying why.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const script = join(import.meta.dirname, '../../scripts/docker-env.sh');

/** The chromium binary, installing it if need be; or why there is none (the installer's last lines). */
export function ensureChromium(): { binary: string } | { missing: string } {
  const found = () => spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim();
  if (found()) return { binary: found() };
  const install = spawnSync('bash', [script, 'browser'], { encoding: 'utf8', timeout: 600_000 });
  if (found()) return { binary: found() };
  const said = `${install.stdout}${install.stderr}${install.error ? String(install.error) : ''}`.trim().split('\n').slice(-5).join('\n');
  return { missing: `chromium is not installed and \`bash scripts/docker-env.sh browser\` could not install it (exit ${install.status}):\n${said}` };
}

/** Runs headless chromium on a file with its own profile folder (two runs at once must not share one). */
function headless(binary: string, args: string[], file: string): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  // --no-sandbox: its sandbox refuses to run as root, which CI and this machine are.
  const all = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', `--user-data-dir=${profile}`, ...args, pathToFileURL(file).href];
  return new Promise((resolve, reject) => {
    execFile(binary, all, { encoding: 'utf8', timeout: 180_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      rmSync(profile, { recursive: true, force: true });
      if (err) reject(new Error(`chromium ${all.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** A PNG of the page as a window of width × height shows it. */
export async function screenshot(binary: string, file: string, width: number, height: number): Promise<Buffer> {
  const out = join(mkdtempSync(join(tmpdir(), 'chromium-shot-')), 'page.png');
  await headless(binary, [`--window-size=${width},${height}`, `--screenshot=${out}`], file);
  return readFileSync(out);
}

/** The document as chromium parsed it (for an SVG file: its XML parser's result, errors included). */
export function dumpDom(binary: string, file: string): Promise<string> {
  return headless(binary, ['--dump-dom'], file);
}
