// Which code cache a run reads (bin/code-cache.js): one per command. V8 caches the functions a run
// compiled, and a cache grows only with its first few runs: shared by every command, a cache grown by
// four `--version` runs after a build lacked what `apply` runs, which then compiled ~20 ms of functions
// on every start. Per command, each cache holds its own command's code, and `--version` reads a small one.
'use strict';

/** The commands of `cluster --help` (test/cli/code-cache.test.ts keeps the list equal to it). */
const COMMANDS = new Set([
  'validate', 'plan', 'apply', 'watch', 'status', 'destroy', 'repair', 'graph', 'explain', 'ls', 'active', 'ip', 'env',
  'regenerate-certs', 'upgrade', 'inspect', 'ssh', 'unlock', 'scp', 'ps', 'logs', 'exec', 'show', 'completion', 'help',
]);

/** The command `argv` runs (the first argument that names one), 'version' or 'help' without one, else 'other'. */
function cacheKind(argv) {
  const command = argv.find((a) => COMMANDS.has(a));
  if (command) return command;
  if (argv.includes('--version') || argv.includes('-V')) return 'version';
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) return 'help';
  return 'other';
}

exports.COMMANDS = COMMANDS;
exports.cacheKind = cacheKind;
