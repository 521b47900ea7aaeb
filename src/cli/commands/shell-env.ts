// `cluster env`'s output, as docker-machine writes it (docker/machine commands/env.go, shellCfgSet,
// shellCfgUnset, EnvUsageHintGenerator; libmachine/shell Detect): per-shell syntax, then a usage hint
// in that shell's comment syntax. Pure: the shell, the variables and the command line in, text out.

export const SHELLS = ['bash', 'zsh', 'sh', 'fish', 'tcsh', 'powershell', 'cmd', 'emacs'] as const;
export type ShellName = (typeof SHELLS)[number];

/** The variables `env` sets, in docker-machine's envTmpl order; `--unset` unsets all of them. */
export const ENV_VARIABLES = ['DOCKER_TLS_VERIFY', 'DOCKER_HOST', 'DOCKER_CERT_PATH', 'DOCKER_MACHINE_NAME'] as const;

/**
 * docker-machine's libmachine/shell Detect: `--shell` wins; else the base name of $SHELL (unknown names
 * get the sh syntax, as its default case); `__fish_bin_dir` means fish (shell_windows.go). Without
 * $SHELL: Windows has cmd or PowerShell (docker-machine asks the parent process, we cannot: cmd with a
 * note, as its fallback), elsewhere sh syntax with a note (docker-machine prints that note too).
 */
export function detectShell(env: Record<string, string | undefined>, platform: string): { shell: ShellName; note?: string } {
  if (env.__fish_bin_dir) return { shell: 'fish' };
  const path = env.SHELL;
  if (!path) {
    if (platform === 'win32') return { shell: 'cmd', note: "You can further specify your shell with either 'cmd' or 'powershell' with the --shell flag." };
    return { shell: 'sh', note: "The default lines below are for a sh/bash shell, you can specify the shell you're using, with the --shell flag." };
  }
  const base = path.replace(/^.*[\\/]/, '').replace(/\.exe$/i, '').toLowerCase();
  if (base.includes('powershell') || base === 'pwsh') return { shell: 'powershell' };
  if (base === 'cmd') return { shell: 'cmd' };
  return { shell: (SHELLS as readonly string[]).includes(base) ? (base as ShellName) : 'sh' };
}

/** One line per variable: a string sets it, null unsets it (shellCfgSet / shellCfgUnset's prefixes). */
export function envLines(shell: ShellName, vars: Record<string, string | null>): string {
  const line = (k: string, v: string | null): string => {
    switch (shell) {
      case 'fish':
        return v === null ? `set -e ${k};` : `set -gx ${k} "${v}";`;
      case 'tcsh':
        return v === null ? `unsetenv ${k};` : `setenv ${k} "${v}";`;
      case 'powershell':
        // docker-machine writes Env:\\ (a raw Go string); Env:\ is PowerShell's documented form.
        return v === null ? `Remove-Item Env:\\${k}` : `$Env:${k} = "${v}"`;
      case 'cmd':
        return `SET ${k}=${v ?? ''}`;
      case 'emacs':
        return v === null ? `(setenv "${k}" nil)` : `(setenv "${k}" "${v}")`;
      case 'bash':
      case 'zsh':
      case 'sh':
        // `;` as fish's and tcsh's lines have it: `eval $(cluster env m1)` (unquoted, as docker-machine's
        // hint writes it) joins the lines into one command line. docker-machine's bash lines are all
        // `export` (or all `unset`), which survive that; cluster's also unset the TLS variables, and
        // `unset DOCKER_TLS_VERIFY export DOCKER_HOST="..."` without the `;` unsets DOCKER_HOST.
        return v === null ? `unset ${k};` : `export ${k}="${v}";`;
    }
  };
  return Object.entries(vars).map(([k, v]) => line(k, v) + '\n').join('');
}

/**
 * EnvUsageHintGenerator: how to load the lines in this shell, as a comment in that shell, naming the
 * command line that was run (docker-machine joins os.Args; `cluster` stands for the binary's path).
 */
export function usageHint(shell: ShellName, args: readonly string[]): string {
  const commandLine = ['cluster', ...args.map(quoteArg)].join(' ');
  const [comment, cmd] = ((): [string, string] => {
    switch (shell) {
      case 'fish':
        return ['#', `eval (${commandLine})`];
      case 'powershell':
        return ['#', `& ${commandLine} | Invoke-Expression`];
      case 'cmd':
        return ['REM', `@FOR /f "tokens=*" %i IN ('${commandLine}') DO @%i`];
      case 'emacs':
        return [';;', `(with-temp-buffer (shell-command "${commandLine}" (current-buffer)) (eval-buffer))`];
      case 'tcsh':
        return [':', `eval \`${commandLine}\``];
      case 'bash':
      case 'zsh':
      case 'sh':
        return ['#', `eval $(${commandLine})`];
    }
  })();
  return `${comment} Run this command to configure your shell:\n${comment} ${cmd}\n`;
}

/** An argument with a space or a quote is quoted (docker-machine quotes a binary path with a space). */
function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\$`])/g, '\\$1')}"`;
}
