// `cluster completion bash|zsh|fish`: completion scripts generated from the command definitions,
// so a new command or option completes without touching this file. Machine names come from
// `cluster __complete-machines` (the manifest in the current folder, no engine is asked).
import type { Command } from 'commander';

const MACHINE_COMMANDS = ['ip', 'env', 'inspect', 'ssh', 'regenerate-certs', 'upgrade'];

function commandsOf(program: Command): { name: string; options: string[] }[] {
  return program.commands
    .filter((c) => !c.name().startsWith('__'))
    .map((c) => ({ name: c.name(), options: c.options.map((o) => o.long ?? o.short ?? '').filter(Boolean) }));
}

export function completionScript(program: Command, shell: 'bash' | 'zsh' | 'fish'): string {
  const cmds = commandsOf(program);
  const names = cmds.map((c) => c.name).join(' ');
  if (shell === 'fish') {
    const lines = [`complete -c cluster -f`, `complete -c cluster -n '__fish_use_subcommand' -a '${names}'`];
    for (const c of cmds) {
      for (const o of c.options) lines.push(`complete -c cluster -n '__fish_seen_subcommand_from ${c.name}' -l ${o.replace(/^--/, '')}`);
      if (MACHINE_COMMANDS.includes(c.name)) lines.push(`complete -c cluster -n '__fish_seen_subcommand_from ${c.name}' -a '(cluster __complete-machines 2>/dev/null)'`);
    }
    return lines.join('\n') + '\n';
  }
  const cases = cmds.map((c) => `    ${c.name}) opts="${c.options.join(' ')}"${MACHINE_COMMANDS.includes(c.name) ? '; machines=1' : ''} ;;`).join('\n');
  const bash = `_cluster() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd=\${COMP_WORDS[1]} opts="" machines=0
  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=($(compgen -W "${names}" -- "$cur")); return; fi
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [ "$machines" = 1 ]; then COMPREPLY=($(compgen -W "$(cluster __complete-machines 2>/dev/null)" -- "$cur"))
  else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -F _cluster cluster
`;
  return shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${bash}` : bash;
}
