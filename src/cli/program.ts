/**
 * The program and its command tree. Each command is known by its name, description and how the
 * command list names it until it is used: its arguments, options, help text and action are
 * defined only when it is the one invoked or its help is asked for (LazyCommand), and its code is
 * imported only when it runs. So `release --version` and `release --help` build no command's
 * options, and load commander and nothing else (no zod, no store SDKs).
 */
import { fstatSync, readFileSync } from 'node:fs';
import { Command, CommanderError, Help, Option, type HelpContext } from 'commander';
import { EXIT_CODES, EXIT_CODE_HELP } from '../errors.js';
import type { IO } from './io.js';

export interface GlobalOptions {
  json: boolean;
  input: boolean;
  yes: boolean;
  stateDir?: string;
  config?: string;
  sandbox: boolean;
}

export interface SandboxFlags {
  sandboxFail: string[];
  sandboxLatency?: string;
  sandboxGates?: 'auto' | 'manual';
  sandboxMetric?: string[];
  sandboxClock?: 'real' | 'compressed';
}

/** Written in by the bundle (src/build/bundle.ts); unbundled (tests, dist/cli), package.json says. */
declare const __RELEASE_VERSION__: string | undefined;
/** Written in by the bundle: plainProgramHelp() at build time; unbundled, the help is formatted when asked. */
declare const __RELEASE_PLAIN_HELP__: string | undefined;

function packageVersion(): string {
  if (typeof __RELEASE_VERSION__ === 'string') return __RELEASE_VERSION__;
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The program: its help for a reader that is no terminal (width 80, no colours, as the bench and
 * every pipe and file get it) is formatted at build time, not at each `release --help` (commander
 * formats ~60 items cold: a few ms). help.e2e checks the bundle's text is the formatted one.
 */
class ReleaseProgram extends Command {
  override helpInformation(context?: HelpContext): string {
    const plain = typeof __RELEASE_PLAIN_HELP__ === 'string' && !terminal(context?.error ? 2 : 1);
    return plain ? __RELEASE_PLAIN_HELP__ : super.helpInformation(context);
  }
}

/** The program's help as a reader that is no terminal gets it: for the bundle to write in (bundle.ts). */
export function plainProgramHelp(): string {
  const nowhere = { write: () => true };
  const program = buildProgram({ out: nowhere, err: nowhere } as unknown as IO, () => undefined);
  return program.configureOutput({ getOutHelpWidth: () => undefined as unknown as number, getOutHasColors: () => false }).helpInformation();
}

/**
 * A command whose arguments, options, help text, action and subcommands are defined on first
 * use: buildProgram defines it before commander dispatches to it, and its help defines it first
 * (`release help flip`). Building every option of every command cost each start-up a few ms.
 */
export class LazyCommand extends Command {
  /** How the program's command list names it: `flip [options] [playbook]` (see `subcommandTerm`). */
  readonly term: string;
  #define: ((cmd: Command) => void) | undefined;

  constructor(term: string, define: (cmd: Command) => void) {
    super(term.split(' ')[0]);
    this.term = term;
    this.#define = define;
  }

  /** Defines the rest of the command, once. */
  define(): this {
    const define = this.#define;
    this.#define = undefined;
    define?.(this);
    return this;
  }

  override helpInformation(context?: HelpContext): string {
    this.define();
    return super.helpInformation(context);
  }
}

/**
 * The program's command list names a lazy command by its declared term: commander's own term
 * counts options and arguments, which are not defined yet. help.e2e checks the two agree.
 */
function subcommandTerm(this: Help, cmd: Command): string {
  return cmd instanceof LazyCommand ? cmd.term : Help.prototype.subcommandTerm.call(this, cmd);
}

/** What an action needs from the program: the IO, and where the command's exit code goes. */
interface CommandRun {
  io: IO;
  setExit(code: number): void;
}

interface CommandSpec {
  /** As the program's command list names it: the name, `[options]` when it has any, its arguments. */
  term: string;
  description: string;
  define(cmd: Command, run: CommandRun): void;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** Every option of the command and the program, for the lazily imported command function. */
const opts = <T>(cmd: Command, extra: object = {}) => ({ ...cmd.optsWithGlobals(), ...extra }) as T;

/** Lowering a live minimum_version/latest_version is refused (exit 2) unless asked for by name. */
const allowLowerVersion = () => new Option('--allow-lower-version', 'let the flip lower a live minimum_version or latest_version (refused otherwise, exit 2)').default(false);

function withSandboxFlags(cmd: Command): Command {
  return cmd
    .option('--sandbox-fail <step[:platform]>', 'rehearse a failure: that step fails after its retries (repeatable; kept with the run; `none` on resume clears it)', collect, [])
    .option('--sandbox-latency <duration>', 'delay of each simulated call, e.g. 150ms')
    .addOption(new Option('--sandbox-gates <mode>', 'auto: simulated people decide; manual: gates wait for a human').choices(['auto', 'manual']))
    .option('--sandbox-metric <name=value>', 'what every rollout gate of that metric reads, e.g. crash_free_sessions=97, or sessions_below_floor=12 for `release policy` (`none`: no data; repeatable; kept with the run, given again on resume it changes)', collect, [])
    .addOption(new Option('--sandbox-clock <mode>', 'real: rollout holds and polls take their real time (compressed by default)').choices(['real', 'compressed']));
}

function damageControl(cmd: Command): Command {
  return withSandboxFlags(cmd)
    .requiredOption('--reason <text>', 'why, for the journal and the team')
    .option('--dry-run', 'show the change as a before/after diff; change nothing', false)
    .option('--by <name>', 'who acts, for the journal (default: RELEASE_ACTOR, the CI actor, or your user name)');
}

function appRecoveryOperation(recovery: Command, run: CommandRun, operation: 'create' | 'deploy' | 'cancel'): void {
  const cmd = recovery.command(operation);
  if (operation !== 'create') cmd.argument('<recovery-id>', 'the id `app-recovery create` printed (see `app-recovery list`)');
  damageControl(
    cmd
      .description(
        operation === 'create'
          ? 'Create a draft targeting a range of version codes (it reaches nobody until deploy); journaled'
          : operation === 'deploy'
            ? 'Deploy a draft: every targeted user is asked to update; journaled (undo: cancel)'
            : 'Cancel it for users not yet recovered (those who updated stay updated; it cannot resume); journaled',
      )
      .requiredOption('--versions <range>', 'the version codes targeted: 142 or 140-142 (Play lists actions by version code)'),
  )
    .addHelpText('after', examples(
      operation === 'create' ? 'release app-recovery create --versions 140-142 --reason "double charge" --sandbox' : `release app-recovery ${operation} 7001 --versions 140-142 --reason "double charge"`,
    ))
    .action(async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const recoveryId = operation === 'create' ? undefined : (args[0] as string);
      const { runAppRecovery } = await import('./commands/app-recovery.js');
      run.setExit(await runAppRecovery(run.io, opts(command, { operation, recoveryId })));
    });
}

const COMMANDS: CommandSpec[] = [
  {
    term: 'flip [options] [playbook]',
    description: 'Run a playbook (default scenario-b): the flip, checkpointed, with rollback',
    define: (cmd, run) =>
      withSandboxFlags(
        cmd
          .argument('[playbook]', 'playbook name under playbooks/ or a path to a YAML file', 'scenario-b')
          .option('--dry-run', 'show every change as a before/after diff; change nothing', false)
          .option('--until <step>', 'stop (exit 0) after this step succeeds; `resume` continues')
          .option('--var <name=value>', 'a playbook input (repeatable)', collect, [])
          .option('--wait <duration>', 'without a terminal, wait this long at a gate for `release signoff` (or the store) before exiting 10')
          .option('--attest <gate>', 'vouch for what no API shows, on the record: play-managed-publishing (repeatable)', collect, [])
          .addOption(allowLowerVersion()),
      )
        .addHelpText('after', examples(
          'npx release flip --sandbox',
          'release flip --sandbox --sandbox-fail internal-signoff',
          'release flip --sandbox --sandbox-fail publish-stores:android',
          'release flip scenario-a',
          'release flip emergency-maintenance --var on=true --var reason="crash on start in 2.0.0"',
          'CI=1 release flip --until wait-for-approval --json > events.ndjson',
          'CI=1 release flip --attest play-managed-publishing --wait 2h',
        ))
        .action(async (playbook: string, _opts: object, command: Command) => {
          const { runFlip } = await import('./commands/flip.js');
          run.setExit(await runFlip(run.io, opts(command, { playbook })));
        }),
  },
  {
    term: 'plan [options] [playbook]',
    description: 'Dry run: show what a flip would change (same as flip --dry-run)',
    define: (cmd, run) =>
      withSandboxFlags(
        cmd
          .argument('[playbook]', 'playbook name or path', 'scenario-b')
          .option('--var <name=value>', 'a playbook input (repeatable)', collect, [])
          .addOption(allowLowerVersion()),
      )
        .addHelpText('after', examples('release plan --sandbox', 'release plan scenario-a --json'))
        .action(async (playbook: string, _opts: object, command: Command) => {
          const { runFlip } = await import('./commands/flip.js');
          run.setExit(await runFlip(run.io, opts(command, { playbook, dryRun: true })));
        }),
  },
  {
    term: 'resume [options] <run>',
    description: 'Continue a run: settle the step in doubt, then go on (or finish its rollback)',
    define: (cmd, run) =>
      withSandboxFlags(
        cmd
          .argument('<run>', 'run id, unique prefix, or "latest"')
          .option('--until <step>', 'stop (exit 0) after this step succeeds')
          .option('--wait <duration>', 'without a terminal, wait this long at a gate before exiting 10')
          .option('--attest <gate>', 'vouch for what no API shows, on the record: play-managed-publishing (repeatable)', collect, [])
          .addOption(allowLowerVersion()),
      )
        .addHelpText('after', examples('release resume latest', 'release resume 20261121-102233-3fa9 --until publish-stores'))
        .action(async (runRef: string, _opts: object, command: Command) => {
          const { runResume } = await import('./commands/resume.js');
          run.setExit(await runResume(run.io, opts(command, { run: runRef })));
        }),
  },
  {
    term: 'status [run]',
    description: 'Show a run: each step, the gate it waits at, its lock',
    define: (cmd, run) =>
      cmd
        .argument('[run]', 'run id, unique prefix, or "latest"', 'latest')
        .addHelpText('after', examples('release status', 'release status latest --json'))
        .action(async (runRef: string, _opts: object, command: Command) => {
          const { runStatus } = await import('./commands/status.js');
          run.setExit(await runStatus(run.io, opts(command, { run: runRef })));
        }),
  },
  {
    term: 'signoff [options] <run>',
    description: 'Decide the gate a run waits at (out of band, e.g. from CI or another terminal)',
    define: (cmd, run) =>
      cmd
        .argument('<run>', 'run id, unique prefix, or "latest"')
        .option('--approve', 'approve the gate')
        .option('--reject', 'reject the gate (the run rolls back when resumed)')
        .option('--gate <id>', 'the gate to decide (default: the one the run waits at)')
        .option('--by <name>', 'who decides (default: your user name)')
        .option('--reason <text>', 'why, for the journal')
        .addHelpText('after', examples(
          'release signoff latest --approve --by qa',
          'release signoff 20261121-102233-3fa9 --reject --reason "login broken on Android"',
          'release signoff latest --approve --gate play-publish --by captain',
        ))
        .action(async (runRef: string, _opts: object, command: Command) => {
          const { runSignoff } = await import('./commands/signoff.js');
          run.setExit(await runSignoff(run.io, opts(command, { run: runRef })));
        }),
  },
  {
    term: 'rollback [options] <run>',
    description: 'Undo a run\'s changes in reverse order (only before the pivot: nothing can be un-published)',
    define: (cmd, run) =>
      withSandboxFlags(cmd.argument('<run>', 'run id, unique prefix, or "latest"'))
        .addHelpText('after', examples('release rollback latest'))
        .action(async (runRef: string, _opts: object, command: Command) => {
          const { runRollback } = await import('./commands/rollback.js');
          run.setExit(await runRollback(run.io, opts(command, { run: runRef })));
        }),
  },
  {
    term: 'repair [options] <run>',
    description: 'A damaged journal: compare what it says with the world, and record a human decision',
    define: (cmd, run) =>
      cmd
        .argument('<run>', 'run id, unique prefix, or "latest"')
        .option('--accept', 'the readable journal is the truth: the run can then be resumed or rolled back')
        .option('--abandon', 'close the run for good; the world is checked and fixed by hand')
        .option('--reason <text>', 'why, for the journal (required with a decision)')
        .addHelpText('after', examples(
          'release repair latest',
          'release repair 20261121-102233-3fa9 --accept --reason "world matches the journal" --yes',
          'release repair 20261121-102233-3fa9 --abandon --reason "restored by hand"',
        ))
        .action(async (runRef: string, _opts: object, command: Command) => {
          const { runRepair } = await import('./commands/repair.js');
          run.setExit(await runRepair(run.io, opts(command, { run: runRef })));
        }),
  },
  {
    term: 'maintenance [options] <on|off>',
    description: 'Emergency stop: maintenance mode on for every user (or off again), journaled; undo with `release rollback <run>`',
    define: (cmd, run) =>
      damageControl(cmd.argument('<on|off>', 'on shows the maintenance screen; off lifts it'))
        .addHelpText('after', examples('release maintenance on --reason "2.0.0 crashes on start"', 'release maintenance off --reason "hotfix 2.0.1 is live" --yes', 'release maintenance on --reason drill --sandbox --dry-run'))
        .action(async (state: string, _opts: object, command: Command) => {
          const { runMaintenance } = await import('./commands/damage-control.js');
          run.setExit(await runMaintenance(run.io, opts(command, { state })));
        }),
  },
  {
    term: 'flag [options] <name> <on|off>',
    description: 'Kill switch: turn one existing feature flag off (or on), journaled; an unknown name is an error, never a new key',
    define: (cmd, run) =>
      damageControl(
        cmd
          .argument('<name>', 'the feature flag, e.g. enable_new_registration_flow')
          .argument('<on|off>', 'off turns the feature off for every user'),
      )
        .addHelpText('after', examples('release flag enable_new_registration_flow off --reason "signup fails on 2.0.0"', 'release flag show_revamped_banner on --reason "fixed in 2.0.1" --yes'))
        .action(async (flag: string, state: string, _opts: object, command: Command) => {
          const { runFlag } = await import('./commands/damage-control.js');
          run.setExit(await runFlag(run.io, opts(command, { flag, state })));
        }),
  },
  {
    term: 'min-version [options] <version>',
    description: 'Raise the force-update floor (minimum_version), journaled; never above the version live on that store',
    define: (cmd, run) =>
      damageControl(
        cmd
          .argument('<version>', 'the new minimum_version, e.g. 2.0.1')
          .addOption(new Option('--platform <platform>', 'one platform only (default: both)').choices(['ios', 'android'])),
      )
        .option('--allow-lower-version', 'lowering the floor lets walled-off apps back in: only on purpose', false)
        .addHelpText('after', examples('release min-version 2.0.1 --reason "2.0.0 corrupts carts"', 'release min-version 2.0.1 --platform android --reason "Android-only crash" --yes'))
        .action(async (version: string, _opts: object, command: Command) => {
          const { runMinVersion } = await import('./commands/damage-control.js');
          run.setExit(await runMinVersion(run.io, opts(command, { version })));
        }),
  },
  {
    term: 'runs',
    description: 'List runs in the state directory',
    define: (cmd, run) =>
      cmd
        .addHelpText('after', examples('release runs', 'release runs --json'))
        .action(async (_opts: object, command: Command) => {
          const { runRuns } = await import('./commands/runs.js');
          run.setExit(await runRuns(run.io, opts(command)));
        }),
  },
  {
    term: 'log <run>',
    description: "Print a run's journal, event by event",
    define: (cmd, run) =>
      cmd
        .argument('<run>', 'run id, unique prefix, or "latest"')
        .addHelpText('after', examples('release log latest', 'release log latest --json | jq .type'))
        .action(async (runRef: string, _opts: object, command: Command) => {
          const { runLog } = await import('./commands/log.js');
          run.setExit(await runLog(run.io, opts(command, { run: runRef })));
        }),
  },
  {
    term: 'report <run>',
    description: 'Print a run\'s timeline as Markdown with a Mermaid gantt chart (for a CI step summary)',
    define: (cmd, run) =>
      cmd
        .argument('<run>', 'run id, unique prefix, or "latest"')
        .addHelpText('after', examples('release report latest', 'release report latest >> "$GITHUB_STEP_SUMMARY"'))
        .action(async (runRef: string, _opts: object, command: Command) => {
          const { runReport } = await import('./commands/report.js');
          run.setExit(await runReport(run.io, opts(command, { run: runRef })));
        }),
  },
  {
    term: 'validate [files...]',
    description: 'Check playbooks (default: every playbook under playbooks/) and the release config',
    define: (cmd, run) =>
      cmd
        .argument('[files...]', 'playbook files or names')
        .addHelpText('after', examples('release validate', 'release validate playbooks/my-flip.yaml'))
        .action(async (files: string[], _opts: object, command: Command) => {
          const { runValidate } = await import('./commands/validate.js');
          run.setExit(await runValidate(run.io, opts(command, { files })));
        }),
  },
  {
    term: 'init [options]',
    description: 'Write a commented release.config.yaml to start from',
    define: (cmd, run) =>
      cmd
        .option('--force', 'overwrite an existing file', false)
        .addHelpText('after', examples('release init', 'release init && release flip --sandbox'))
        .action(async (_opts: object, command: Command) => {
          const { runInit } = await import('./commands/init.js');
          run.setExit(await runInit(run.io, opts(command)));
        }),
  },
  {
    term: 'doctor',
    description: 'Check credentials and reach every provider with read-only calls',
    define: (cmd, run) =>
      cmd
        .addHelpText('after', examples('release doctor', 'ASC_PRIVATE_KEY="$(cat AuthKey.p8)" release doctor --json'))
        .action(async (_opts: object, command: Command) => {
          const { runDoctor } = await import('./commands/doctor.js');
          run.setExit(await runDoctor(run.io, opts(command)));
        }),
  },
  {
    term: 'app-recovery',
    description: 'Play App Recovery (Android): make users of a bad version code update, even without a force-update wall',
    define: (recovery, run) => {
      recovery.addHelpText('after', examples(
        'release app-recovery create --versions 140-142 --reason "double charge at checkout"',
        'release app-recovery deploy 7001 --versions 140-142 --reason "double charge at checkout"',
        'release app-recovery list --versions 140-142',
      ));
      for (const operation of ['create', 'deploy', 'cancel'] as const) appRecoveryOperation(recovery, run, operation);
      recovery
        .command('list')
        .description('List the App Recovery actions targeting version codes (read-only)')
        .option('--versions <range>', 'version codes: 142 or 140-142 (default: app.android.versionCode)')
        .addHelpText('after', examples('release app-recovery list --versions 140-142', 'release app-recovery list --versions 142 --json'))
        .action(async (_opts: object, command: Command) => {
          const { runAppRecoveryList } = await import('./commands/app-recovery.js');
          run.setExit(await runAppRecoveryList(run.io, opts(command)));
        });
    },
  },
  {
    term: 'policy [options]',
    description: 'The forced-upgrade policy: compatibility window, forced-upgrade surface, earliest API removal, and today\'s minimum_version; --apply raises it (journaled)',
    define: (cmd, run) =>
      withSandboxFlags(
        cmd
          .option('--apply', 'raise minimum_version to what the policy asks, through a journaled min-version run (never above a version live on the stores)', false)
          .option('--markdown', 'print the decision record (five sections) with the numbers filled in', false)
          .option('--replaced-by <version>', 'the first version that no longer calls the old API (default: app.version)')
          .option('--reason <text>', 'with --apply: why, for the journal (default: the policy in words)')
          .option('--dry-run', 'with --apply: show the change; change nothing', false)
          .option('--by <name>', 'with --apply: who acts, for the journal'),
      )
        .addHelpText('after', examples('release policy', 'release policy --markdown >> docs/mobile-deployment-adr.md', 'release policy --json', 'release policy --apply --reason "quarterly floor" --yes', 'release policy --sandbox --apply'))
        .action(async (_opts: object, command: Command) => {
          const { runPolicy } = await import('./commands/policy.js');
          run.setExit(await runPolicy(run.io, opts(command)));
        }),
  },
  {
    term: 'state',
    description: 'The shared state backend (PostgreSQL): prepare and check its schema',
    define: (state, run) => {
      state.addHelpText('after', examples('release state migrate', 'release state migrate --dry-run'));
      state
        .command('migrate')
        .description('Create or upgrade the state database schema (idempotent; safe when two run it at once)')
        .option('--dry-run', 'show the schema version and what would be applied; change nothing', false)
        .addHelpText('after', examples(
          'release state migrate            # RELEASE_STATE_URL, or state.url in release.config.yaml',
          'release state migrate --dry-run --json',
          'RELEASE_STATE_URL="postgres://release:$PGPASSWORD@db.internal:5432/release?sslmode=verify-full" release state migrate',
        ))
        .action(async (_opts: object, command: Command) => {
          const { runStateMigrate } = await import('./commands/state-migrate.js');
          run.setExit(await runStateMigrate(run.io, opts(command)));
        });
    },
  },
  {
    term: 'force-unlock [options] <lock-id>',
    description: 'Remove a stale lock (a run whose machine is gone); asks unless --yes',
    define: (cmd, run) =>
      cmd
        .argument('<lock-id>', 'the lock id printed by the locked error or `release status`')
        .option('--force', 'also remove a lock whose holder is alive (fresh lease or running process); it then stops writing', false)
        .addHelpText('after', examples('release force-unlock lk-3fa9c2d1 --yes', 'release force-unlock lk-3fa9c2d1 --force --yes   # the holder is hung'))
        .action(async (lockId: string, _opts: object, command: Command) => {
          const { runForceUnlock } = await import('./commands/force-unlock.js');
          run.setExit(await runForceUnlock(run.io, opts(command, { lockId })));
        }),
  },
];

/** process.stdout or stderr when it is a terminal; asked of the descriptor first (no character device, no terminal). */
function terminal(fd: 1 | 2): NodeJS.WriteStream | undefined {
  let characterDevice = false;
  try {
    characterDevice = fstatSync(fd).isCharacterDevice();
  } catch {
    // A descriptor that cannot be asked is no terminal either.
  }
  const stream = characterDevice ? (fd === 1 ? process.stdout : process.stderr) : undefined;
  return stream?.isTTY ? stream : undefined;
}

const EXIT_CODES_HELP = `
Exit codes:
${Object.entries(EXIT_CODES)
  .map(([kind, code]) => `  ${String(code).padStart(3)}  ${EXIT_CODE_HELP[kind as keyof typeof EXIT_CODES]}`)
  .join('\n')}

Environment:
  RELEASE_STATE_DIR   where runs and locks live (default: .release/ beside release.config.yaml)
  RELEASE_STATE_URL   postgres://user:password@host:5432/database: keep runs and locks in PostgreSQL
  CI                  set: never prompt; gates exit 10 with the command that continues
  GITHUB_ACTIONS      true: log groups, annotations, job summary and step outputs (README: GitHub Actions)
  NO_COLOR            set: no colour`;

export function buildProgram(io: IO, setExit: (code: number) => void): Command {
  const program = new ReleaseProgram('release')
    .description('Carry out a breaking backend change and a new mobile app version together, without stranding users on either side.')
    .option('-j, --json', 'machine output: NDJSON events on stdout (human progress stays on stderr)', false)
    .option('--no-input', 'never prompt (also when stdin is not a terminal or CI is set)')
    .option('-y, --yes', 'skip confirmations before irreversible steps', false)
    .option('--state-dir <dir>', 'where runs and locks live (env RELEASE_STATE_DIR)')
    .option('--config <file>', 'release config (default: release.config.yaml found upward from here)')
    .option('--sandbox', 'use the built-in simulated stores, config and backend (no credentials)', false)
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', `${examples('npx release flip --sandbox', 'release plan', 'release flip --until deploy-backend', 'release resume latest')}${EXIT_CODES_HELP}`)
    .exitOverride()
    // Commands inherit this (it must come before .command()): each command's --help then also
    // lists --json, --yes, --sandbox... which otherwise only `release --help` showed.
    .configureHelp({ showGlobalOptions: true, subcommandTerm })
    .configureOutput({
      writeOut: (s) => io.out.write(s),
      writeErr: (s) => io.err.write(s),
      // commander asks process.stdout (stderr) for a terminal's width and colours, which makes that
      // stream: io.ts writes without one, and a descriptor that is no terminal needs none. No
      // colours then: the help has none to keep or strip.
      // No width (not a terminal): commander's own, 80, as its default gives (its typings say number).
      getOutHelpWidth: () => terminal(1)?.columns as number,
      getErrHelpWidth: () => terminal(2)?.columns as number,
      getOutHasColors: () => Boolean(terminal(1)?.hasColors()),
      getErrHasColors: () => Boolean(terminal(2)?.hasColors()),
    });

  const run: CommandRun = { io, setExit };
  for (const spec of COMMANDS) {
    program.addCommand(new LazyCommand(spec.term, (cmd) => spec.define(cmd, run)).description(spec.description).copyInheritedSettings(program));
  }
  // commander has chosen the command (global options may come before it): define it now.
  program.hook('preSubcommand', (_program, command) => {
    if (command instanceof LazyCommand) command.define();
  });

  return program;
}

export async function runProgram(io: IO, argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return EXIT_CODES.usage;
    }
    throw err;
  }
  return code;
}
