// Argument parsing and exit codes only; every command calls the core through ./pipeline.ts.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { UserError } from '../model/diagnostic.js';
import { errorMessage } from '../engine/errors.js';
import { formatDiagnostic } from '../ui/diagnostic.js';
import { redactOutput } from '../ui/redact.js';
import { refuseColour } from '../ui/colour.js';
import { loadManifestWithOptions, setManifestOptions } from './manifest-options.js';
import { applyCommand } from './commands/apply.js';
import { interruptible } from './interrupts.js';
import { watchOutputStreams } from './broken-pipe.js';
import { completionScript } from './completion.js';
import { unlockCommand } from './commands/unlock.js';
import { parseDuration } from '../manifest/units.js';
import { parseTarget } from '../plan/target.js';
import { explainCommand } from './commands/explain.js';
import { graphCommand } from './commands/graph.js';
import { activeCommand, envCommand, inspectCommand, ipCommand, lsCommand, regenerateCertsCommand, scpCommand, sshCommand } from './commands/machines.js';
import { upgradeCommand } from './commands/upgrade.js';
import { SHELLS } from './commands/shell-env.js';
import { parseFilter, parseFormat } from './commands/ls-view.js';
import { planCommand } from './commands/plan.js';
import { repairCommand } from './commands/repair.js';
import { statusCommand } from './commands/status.js';
import { validateCommand } from './commands/validate.js';
import { execCommand, logsCommand, psCommand } from './commands/app.js';
import { showCommand } from './commands/show.js';
import { COMPACT_ABOVE } from '../plan/render-compact.js';

const VERSION = '0.1.0';

export async function main(argv: string[]): Promise<number> {
  redactOutput(process.stdout);
  redactOutput(process.stderr);
  watchOutputStreams();
  // no-color.org: a set, non-empty NO_COLOR; chalk (under ink) heeds only FORCE_COLOR at a terminal.
  if (process.env.NO_COLOR) refuseColour();
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    return report(err);
  }
}

function buildProgram(exit: (code: number) => void): Command {
  const program = new Command('cluster')
    .description('Make a whole Docker cluster match one YAML file: plan, apply, status, destroy.')
    .version(VERSION)
    .option('--no-color', 'no colour in the output (as NO_COLOR=1); prompts and the live view stay')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeErr: (s) => {
        commanderPrinted = true;
        process.stderr.write(s);
      },
    });

  const file = () => new Option('-f, --file <path>', 'manifest').default('cluster.yml');
  const repeat = (v: string, prev: string[] = []) => [...prev, v];
  const compose = () => new Option('-c, --compose <file>', 'run the services of this docker-compose file too (repeatable; without a manifest: on the default machines)').argParser(repeat);
  const profile = () => new Option('--profile <name>', 'enable this compose profile (repeatable; COMPOSE_PROFILES works too)').argParser(repeat);
  program.hook('preAction', (_program, action) => {
    if ((program.opts() as { color?: boolean }).color === false) refuseColour();
    const o = action.opts() as { compose?: string[]; profile?: string[] };
    setManifestOptions({ compose: o.compose ?? [], profiles: o.profile ?? [], fileGiven: action.getOptionValueSource('file') === 'cli' });
  });
  const strategy = () => new Option('--strategy <name>', 'override the scheduler strategy').choices(['spread', 'binpack', 'random']);
  const seed = () => new Option('--seed <n>', 'seed of the random strategy').argParser(integer);
  const lockTimeout = () =>
    new Option('--lock-timeout <duration>', 'wait this long for another apply to finish (e.g. 30s, 5m); default: fail at once').argParser((v: string) => {
      const ms = parseDuration(v);
      if (ms === undefined) throw new InvalidArgumentError('a duration like 30s, 5m or 1h');
      return ms;
    });
  const gracePeriod = () =>
    new Option('--grace-period <duration>', 'after Ctrl-C or SIGTERM, how long running actions may take to finish (e.g. 30s)').default(60_000, '60s').argParser((v: string) => {
      const ms = parseDuration(v);
      if (ms === undefined) throw new InvalidArgumentError('a duration like 30s, 5m or 1h');
      return ms;
    });
  const unreachableGrace = () =>
    new Option('--unreachable-grace <duration>', 'replicas that may be on a machine whose engine does not answer are kept this long, then placed elsewhere').default(300_000, '5m').argParser((v: string) => {
      const ms = parseDuration(v);
      if (ms === undefined) throw new InvalidArgumentError('a duration like 30s, 5m or 1h');
      return ms;
    });
  const rebalance = () => new Option('--rebalance', "move replicas to restore the strategy's balance (e.g. after machines joined); without it, running replicas never move for balance");
  // Issue 17 point 9 (wip-gitops): watch's answer to drift.
  const driftMode = () =>
    new Option('--drift <mode>', 'watch: on drift (an out-of-band change), `correct` it or only `report` it (manifest edits are applied either way)').choices(['correct', 'report']).default('correct');
  const adopt = () => new Option('--adopt [id]', "take over another checkout's objects of this cluster (same name, another identity): this folder becomes that checkout; with several, give the id");
  const target = () =>
    new Option('--target <object>', 'limit to machine.NAME or service.NAME and what it needs (repeatable)').argParser((v: string, prev: string[] = []) => {
      if (!parseTarget(v)) throw new InvalidArgumentError('write machine.NAME or service.NAME');
      return [...prev, v];
    });

  program
    .command('validate')
    .description('check a manifest; exit 0 when valid, 1 with file:line:col errors when not')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .option('--json', 'machine-readable result')
    .addHelpText('after', '\nExample:\n  cluster validate -f cluster.example.yml')
    .action((o) => exit(validateCommand(o)));

  program
    .command('plan')
    .description('show what apply would change, and why; nothing is touched')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .option('--json', 'print the plan as JSON (format: docs/PLAN_FORMAT.md)')
    .option('-o, --out <file>', 'save the plan for `cluster apply FILE`')
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are')
    .option('--destroy', 'plan what `cluster destroy` would do (save it with -o, run it with `cluster apply FILE`)')
    .option('--compact', `one line per kind of change per service and machine group (the default above ${COMPACT_ABOVE} actions)`)
    .option('--full', 'list every action, however many (--json always has every detail)')
    .addOption(strategy())
    .addOption(seed())
    .addOption(target())
    .addOption(unreachableGrace())
    .addOption(rebalance())
    .addOption(adopt())
    .addHelpText('after', '\nExamples:\n  cluster plan\n  cluster plan --target service.web\n  cluster plan --json > plan.json\n  cluster plan --full\n  cluster plan -o saved.plan && cluster apply saved.plan')
    .action(async (o) => exit(await planCommand(o)));

  program
    .command('apply')
    .argument('[planfile]', 'a plan saved with `cluster plan -o FILE`: made again and applied only if identical (refused when stale or edited)')
    .description('make the cluster match the manifest: executes the plan in dependency order, in parallel')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .option('--auto-approve', 'do not ask for confirmation (required when not at a terminal)')
    .addOption(new Option('--parallelism <n>', 'actions running at once').argParser(positive).default(10))
    .option('--json', 'stream one JSON event per line')
    .option('-w, --watch', 'keep converging: re-plan and apply on every manifest edit and on drift')
    .addOption(new Option('--interval <seconds>', `watch: full re-observe period, catches drift (${MIN_INTERVAL_S} to ${MAX_INTERVAL_S})`).argParser(interval).default(30))
    .addOption(strategy())
    .addOption(seed())
    .addOption(target())
    .addOption(adopt())
    .addOption(lockTimeout())
    .addOption(gracePeriod())
    .addOption(unreachableGrace())
    .addOption(rebalance())
    .addOption(driftMode())
    .addHelpText('after', '\nExamples:\n  cluster apply\n  cluster apply --target machine.worker-2 --auto-approve\n  cluster apply --auto-approve -f cluster.example.yml\n  cluster apply --watch')
    .action(async (planfile, o) => exit(await interruptible((stop) => applyCommand(planfile, o, stop), report)));

  program
    .command('watch')
    .description('same as `apply --watch`: converge now, then on every manifest edit and on drift')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .addOption(new Option('--parallelism <n>', 'actions running at once').argParser(positive).default(10))
    .addOption(new Option('--interval <seconds>', `full re-observe period, catches drift (${MIN_INTERVAL_S} to ${MAX_INTERVAL_S})`).argParser(interval).default(30))
    .option('--json', 'stream one JSON event per line')
    .addOption(strategy())
    .addOption(seed())
    .addOption(target())
    .addOption(lockTimeout())
    .addOption(gracePeriod())
    .addOption(unreachableGrace())
    .addOption(rebalance())
    .addOption(driftMode())
    .addHelpText('after', '\nExamples:\n  cluster watch -f cluster.yml --interval 10\n  cluster watch --drift report   # say what drifted, correct nothing; edits still apply')
    .action(async (o) => exit(await interruptible((stop) => applyCommand(undefined, { ...o, watch: true }, stop), report)));

  program
    .command('status')
    .description('machines, roles, labels, containers per machine, reservations')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .option('--json', 'machine-readable status (format: docs/PLAN_FORMAT.md)')
    .option('--html <file>', 'write a picture of the cluster to <file>: a self-contained web page (instead of the table)')
    .option('--svg <file>', 'write the picture as an SVG file (with --html, both)')
    .addHelpText('after', '\nExamples:\n  cluster status --json\n  cluster status --html cluster.html')
    .action(async (o) => exit(await statusCommand(o)));

  program
    .command('destroy')
    .description('remove every machine and container this cluster owns (adopted generic hosts only lose containers)')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .option('--auto-approve', 'do not ask for confirmation (required when not at a terminal)')
    .addOption(new Option('--parallelism <n>', 'actions running at once').argParser(positive).default(10))
    .option('--json', 'stream one JSON event per line')
    .addOption(target())
    .addOption(adopt())
    .addOption(lockTimeout())
    .addOption(gracePeriod())
    .option('--purge', 'also uninstall the engine from ssh machines (docker.io and /var/lib/docker)')
    .addHelpText('after', '\nExample:\n  cluster destroy --auto-approve')
    .action(async (o) => exit(await interruptible((stop) => applyCommand(undefined, { ...o, destroy: true }, stop), report)));

  program
    .command('repair')
    .description('give a swarm that lost its quorum a leader again: force a new cluster on one reachable manager, then apply the rest')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .option('--force-new-cluster', 'docker swarm init --force-new-cluster on a reachable manager (required; refused while the swarm has a quorum)')
    .option('--on <machine>', 'the manager to force the new cluster on (default: the first manager of the manifest that answers)')
    .option('--auto-approve', 'do not ask for confirmation (required when not at a terminal)')
    .addOption(new Option('--parallelism <n>', 'actions running at once').argParser(positive).default(10))
    .addOption(lockTimeout())
    .addOption(gracePeriod())
    .addHelpText('after', '\nExample:\n  cluster plan   # says "swarm quorum lost: 1 of 3 managers reachable, a quorum needs 2"\n  cluster repair --force-new-cluster')
    .action(async (o) => exit(await interruptible((stop) => repairCommand(o, stop), report)));

  program
    .command('graph')
    .description('the plan\'s action graph, as DOT (Graphviz) or Mermaid')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .addOption(new Option('--format <format>', 'output format').choices(['dot', 'mermaid']).default('dot'))
    .option('--json', 'the graph as JSON: nodes (actions) and edges')
    .addOption(strategy())
    .addOption(seed())
    .addOption(target())
    .addHelpText('after', '\nExamples:\n  cluster graph | dot -Tsvg > plan.svg\n  cluster graph --format mermaid')
    .action(async (o) => exit(await graphCommand(o)));

  program
    .command('explain <service>')
    .description('per machine: the replicas of SERVICE it gets, and why one more would or would not go there')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .addOption(strategy())
    .addOption(seed())
    .option('--json', 'machine-readable')
    .addHelpText('after', '\nExample:\n  cluster explain db')
    .action(async (name, o) => exit(await explainCommand(name, o)));

  program
    .command('ls')
    .description('list the machines (docker-machine ls): ACTIVE marks the one DOCKER_HOST points at')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .option('--json', 'machine-readable')
    .option('-q, --quiet', 'only the names')
    .addOption(new Option('--filter <key=value>', 'driver=, state=, name= (a regular expression) or label=KEY[=VALUE]; repeatable: keys AND, values of one key OR').argParser(parseFilter))
    .addOption(new Option('--format <template>', "Go-template-like: {{.Name}} {{.Active}} {{.DriverName}} {{.State}} {{.URL}} {{.Swarm}} {{.DockerVersion}} {{.Error}} {{.ActiveHost}}; a 'table' prefix adds headers").argParser(parseFormat))
    .addHelpText('after', '\nExamples:\n  cluster ls\n  cluster ls --filter state=running --filter label=size=xxl\n  cluster ls --format "{{.Name}}: {{.URL}}"\n  cluster ls --json | jq -r ".machines[].url"')
    .action(async (o) => {
      if ([o.json, o.quiet, o.format].filter(Boolean).length > 1) throw new InvalidArgumentError('choose one of --json, -q and --format');
      exit(await lsCommand(o));
    });

  program
    .command('active')
    .description('the machine DOCKER_HOST points at (docker-machine active); exit 1 when none')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .option('--json', 'machine-readable')
    .addHelpText('after', '\nExample:\n  eval $(cluster env worker-1) && cluster active')
    .action(async (o) => exit(await activeCommand(o)));

  program
    .command('ip <machine>')
    .description('the address of a machine (docker-machine ip)')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .option('--json', 'machine-readable')
    .addHelpText('after', '\nExample:\n  curl http://$(cluster ip worker-1):8080/')
    .action(async (name, o) => exit(await ipCommand(name, o)));

  program
    .command('env [machine]')
    .description('shell exports that point the docker CLI at a machine (docker-machine env)')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .addOption(new Option('--shell <shell>', 'output syntax').choices([...SHELLS]))
    .option('-u, --unset', 'print the commands that undo it (DOCKER_TLS_VERIFY, DOCKER_HOST, DOCKER_CERT_PATH, DOCKER_MACHINE_NAME)')
    .option('--json', 'the variables as JSON: {machine, shell, set, unset}')
    .addHelpText('after', '\nThe shell is --shell, else $SHELL\'s name (as docker-machine env); the last lines say how to load it there.\n\nExamples:\n  eval $(cluster env worker-1) && docker ps\n  eval (cluster env worker-1)                  # fish\n  & cluster env worker-1 | Invoke-Expression   # PowerShell\n  eval $(cluster env --unset)')
    .action(async (name, o) => {
      if (!name && !o.unset) throw new InvalidArgumentError('name a machine, or use --unset');
      exit(await envCommand(name, o));
    });

  program
    .command('regenerate-certs <machine>')
    .description('give an ssh machine\'s engine a new TLS certificate from the cluster CA and restart it (docker-machine regenerate-certs)')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .addOption(lockTimeout())
    .addHelpText('after', '\nExample:\n  cluster regenerate-certs worker-1')
    .action(async (name, o) => exit(await regenerateCertsCommand(name, o)));

  program
    .command('upgrade <machine>')
    .description('upgrade an ssh machine\'s engine package (docker.io) to the newest version its package source has, the machine drained first (its replicas start elsewhere) and made active again after; restarted only if the version changed (docker-machine upgrade)')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .addOption(lockTimeout())
    .option('--force', 'upgrade without draining: its replicas stop with the engine and start again in place')
    .addHelpText('after', '\nExample:\n  cluster upgrade worker-1')
    .action(async (name, o) => exit(await interruptible((stop) => upgradeCommand(name, o, stop), report)));

  program
    .command('inspect <machine>')
    .description('everything known about a machine, as JSON (docker-machine inspect)')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .addHelpText('after', '\nExample:\n  cluster inspect worker-1 | jq .engine.url')
    .action(async (name, o) => exit(await inspectCommand(name, o)));

  program
    .command('ssh <machine> [command...]')
    .description('a shell on a machine, or run a command there (docker-machine ssh)')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .addHelpText('after', '\nExamples:\n  cluster ssh manager\n  cluster ssh worker-2 -- docker ps')
    .action(async (name, command, o) => exit(await sshCommand(name, command ?? [], o)));

  program
    .command('unlock [id]')
    .description("show the cluster's apply lock; with --force, remove a crashed run's lock (like terraform force-unlock)")
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .option('--force [id]', 'remove: a stale, unreadable or old-version lock always; a live lock only if ID is its id')
    .addHelpText(
      'after',
      [
        '',
        'A run renews its lock every 5 s. A lock is stale when its process on this host is gone, or when it',
        'was not renewed for 30 s (a run killed on another computer); the next apply takes a stale lock over',
        'by itself, so unlock is rarely needed. Without --force this only shows the lock (exit 1 if locked).',
        '--force removes stale and broken lock state, including lock networks of earlier versions, but',
        'refuses a live lock unless given its id: that protects an apply that is still running.',
        '',
        'Examples:',
        '  cluster unlock                  # who holds the lock, since when, live or stale',
        '  cluster unlock --force          # clear a stale or broken lock',
        '  cluster unlock --force 3f2a9c1d # also a live lock, when you know that run is gone',
      ].join('\n'),
    )
    .action(async (id, o) => exit(await unlockCommand(id, o)));

  program
    .command('scp <from> <to>')
    .description('copy files to, from or between machines (docker-machine scp)')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .addHelpText('after', '\nExamples:\n  cluster scp ./app.conf worker-1:/etc/app.conf\n  cluster scp manager:/var/log worker-2:/tmp/')
    .action(async (from, to, o) => exit(await scpCommand(from, to, o)));

  // Seeing the running app (issue 17 point 6): ps, logs, exec, show.
  program
    .command('ps')
    .description('the containers of this cluster and the tasks of its swarm services: service, replica, machine, state, ports (docker compose ps)')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .option('-a, --all', 'stopped containers too (as docker ps -a)')
    .option('--json', 'machine-readable')
    .addHelpText('after', '\nExamples:\n  cluster ps\n  cluster ps -a --json | jq -r ".containers[].name"')
    .action(async (o) => exit(await psCommand(o)));

  program
    .command('logs <service>')
    .description("a service's output from all its replicas, merged, each line prefixed with its replica (docker compose logs)")
    // -f is --follow here, as in docker logs and docker compose logs; the manifest is --file only.
    .addOption(new Option('--file <path>', 'manifest').default('cluster.yml'))
    .addOption(compose())
    .addOption(profile())
    .option('-f, --follow', 'keep printing new output until Ctrl-C (the replicas there are at the start; a swarm service: all its tasks)')
    .addOption(new Option('-n, --tail <lines>', 'the last N lines of each replica').argParser(integer))
    .addOption(new Option('--since <when>', 'only output since a duration ago (10m, 2h) or a time (2026-11-26T10:00:00Z)').argParser(sinceTime))
    .option('-t, --timestamps', "each line with the engine's time")
    .addHelpText('after', '\nExamples:\n  cluster logs web\n  cluster logs web -f --tail 20\n  cluster logs db --since 10m --timestamps')
    // Extra words are checked here, not by commander: `logs web -f cluster.yml` (every other command's -f)
    // gets the reason, not only "too many arguments".
    .allowExcessArguments()
    .action(async (service, o, cmd: Command) => {
      excessLogsArguments(cmd.args.slice(1), o);
      exit(await interruptible(({ signal }) => logsCommand(service, o, signal), report, QUIET_INTERRUPT));
    });

  program
    .command('exec <replica> [command...]')
    .description('run a command in a replica: SERVICE (replica 1) or SERVICE#N; exits with its code (docker compose exec)')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .option('-T, --no-tty', 'no pseudo-terminal, even at a terminal')
    .option('-u, --user <user>', 'run as this user')
    .option('-w, --workdir <dir>', 'in this directory')
    .addOption(new Option('-e, --env <KEY=VALUE>', 'set a variable (repeatable)').argParser(repeat))
    .addHelpText('after', '\nExamples:\n  cluster exec web -- sh\n  cluster exec web#2 -- cat /etc/hostname\n  cluster exec -T db -- pg_dump app > app.sql')
    .action(async (replica, command, o) => exit(await execCommand(replica, command ?? [], o)));

  program
    .command('show [planfile]')
    .description('a plan saved with `plan -o FILE`, as text (--json: the saved document); without a file, the current status (terraform show)')
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .option('--json', 'the saved plan document, or the status as JSON')
    .addHelpText('after', '\nExamples:\n  cluster plan -o saved.plan && cluster show saved.plan\n  cluster show saved.plan --json | jq .plan.summary')
    .action(async (planfile, o) => exit(await showCommand(planfile, o)));

  program
    .command('completion <shell>')
    .description('print a shell completion script (bash, zsh, fish)')
    .addHelpText('after', '\nExamples:\n  source <(cluster completion bash)\n  cluster completion fish > ~/.config/fish/completions/cluster.fish')
    .action((shell: string) => {
      if (!['bash', 'zsh', 'fish'].includes(shell)) throw new InvalidArgumentError(`no completion for ${shell}: use bash, zsh or fish`);
      process.stdout.write(completionScript(program, shell as 'bash' | 'zsh' | 'fish'));
    });

  program
    .command('__complete-machines', { hidden: true })
    .addOption(file())
    .addOption(compose())
    .addOption(profile())
    .action((o) => {
      const r = loadManifestWithOptions(o.file);
      if (r.ok) process.stdout.write(r.desired.machines.map((m) => m.name).join('\n') + '\n');
    });

  return program;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function positive(value: string): number {
  const n = integer(value);
  if (n < 1) throw new InvalidArgumentError('expected 1 or more');
  return n;
}

/** Each re-observe lists every machine and container: under a second apart is a busy loop, not a watch. */
const MIN_INTERVAL_S = 1;
/** setTimeout holds at most 2^31-1 ms (24.8 days); a longer delay fires at once. A day is plenty. */
const MAX_INTERVAL_S = 86_400;

function interval(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < MIN_INTERVAL_S || n > MAX_INTERVAL_S) {
    throw new InvalidArgumentError(`expected whole seconds from ${MIN_INTERVAL_S} to ${MAX_INTERVAL_S} (a re-observe lists the whole cluster; 0 would repeat it without pause)`);
  }
  return n;
}

/** `logs` takes one service: a second word is most often a manifest after `-f`, which is --follow here. */
function excessLogsArguments(extra: string[], o: { follow?: boolean }): void {
  if (!extra.length) return;
  const [first] = extra;
  if (o.follow && /\.ya?ml$/i.test(first!)) {
    throw UserError.plain(`logs takes one service, and got ${first} too`, `-f is --follow in \`cluster logs\`, as in docker compose logs: give the manifest as --file ${first}`);
  }
  throw UserError.plain(`logs takes one service, and got ${extra.join(' ')} too`, 'one service per run: `cluster logs SERVICE` (run with --help for usage)');
}

/** `logs --since`: a duration ago or a time, as the UNIX seconds the Engine API takes (docker logs --since). */
function sinceTime(value: string): number {
  const ago = parseDuration(value);
  const at = ago === undefined ? Date.parse(value) : Date.now() - ago;
  if (Number.isNaN(at)) throw new InvalidArgumentError('a duration like 10m or 2h, or a time like 2026-11-26T10:00:00Z');
  return Math.floor(at / 1000);
}

/** Ctrl-C ends `logs -f` as the end of reading, not as an interrupted change: exit 130, no message. */
const QUIET_INTERRUPT = { say: () => {}, exit: (code: number) => process.exit(code) };

const MAX_PRINTED = 50;

/** The only place errors become text: diagnostics for user mistakes, one line for the rest. */
/** Commander prints its own parse errors; one our actions throw (e.g. an InvalidArgumentError) it does not. */
let commanderPrinted = false;

function report(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    if (!commanderPrinted && err.message) process.stderr.write(`${/^error: /.test(err.message) ? '' : 'error: '}${err.message}\n`);
    return 1;
  }
  if (err instanceof UserError) {
    // A file can hold thousands of mistakes; the first ones are what to fix, the count says the rest.
    for (const d of err.diagnostics.slice(0, MAX_PRINTED)) process.stderr.write(formatDiagnostic(d) + '\n');
    const more = err.diagnostics.length - MAX_PRINTED;
    if (more > 0) process.stderr.write(`... and ${more} more error${more === 1 ? '' : 's'} (fix the ones above first)\n`);
    return 1;
  }
  process.stderr.write(`error: ${errorMessage(err)}\n`);
  if (process.env.CLUSTER_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  return 1;
}
