/**
 * The command tree. Each command's code is imported only when it runs, so `release --help`
 * loads commander and nothing else (no zod, no store SDKs).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
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

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const EXIT_CODES_HELP = `
Exit codes:
${Object.entries(EXIT_CODES)
  .map(([kind, code]) => `  ${String(code).padStart(3)}  ${EXIT_CODE_HELP[kind as keyof typeof EXIT_CODES]}`)
  .join('\n')}

Environment:
  RELEASE_STATE_DIR   where runs and locks live (default: .release/ beside release.config.yaml)
  CI                  set: never prompt; gates exit 10 with the command that continues
  GITHUB_ACTIONS      true: log groups, annotations, job summary and step outputs (README: GitHub Actions)
  NO_COLOR            set: no colour`;

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

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

export function buildProgram(io: IO, setExit: (code: number) => void): Command {
  const program = new Command('release')
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
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) });

  /** Every option of the command and the program, for the lazily imported command function. */
  const opts = <T>(cmd: Command, extra: object = {}) => ({ ...cmd.optsWithGlobals(), ...extra }) as T;

  withSandboxFlags(
    program
      .command('flip')
      .description('Run a playbook (default scenario-b): the flip, checkpointed, with rollback')
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
    .action(async (playbook: string, _opts: object, cmd: Command) => {
      const { runFlip } = await import('./commands/flip.js');
      setExit(await runFlip(io, opts(cmd, { playbook })));
    });

  withSandboxFlags(
    program
      .command('plan')
      .description('Dry run: show what a flip would change (same as flip --dry-run)')
      .argument('[playbook]', 'playbook name or path', 'scenario-b')
      .option('--var <name=value>', 'a playbook input (repeatable)', collect, [])
      .addOption(allowLowerVersion()),
  )
    .addHelpText('after', examples('release plan --sandbox', 'release plan scenario-a --json'))
    .action(async (playbook: string, _opts: object, cmd: Command) => {
      const { runFlip } = await import('./commands/flip.js');
      setExit(await runFlip(io, opts(cmd, { playbook, dryRun: true })));
    });

  withSandboxFlags(
    program
      .command('resume')
      .description('Continue a run: settle the step in doubt, then go on (or finish its rollback)')
      .argument('<run>', 'run id, unique prefix, or "latest"')
      .option('--until <step>', 'stop (exit 0) after this step succeeds')
      .option('--wait <duration>', 'without a terminal, wait this long at a gate before exiting 10')
      .option('--attest <gate>', 'vouch for what no API shows, on the record: play-managed-publishing (repeatable)', collect, [])
      .addOption(allowLowerVersion()),
  )
    .addHelpText('after', examples('release resume latest', 'release resume 20261121-102233-3fa9 --until publish-stores'))
    .action(async (runRef: string, _opts: object, cmd: Command) => {
      const { runResume } = await import('./commands/resume.js');
      setExit(await runResume(io, opts(cmd, { run: runRef })));
    });

  program
    .command('status')
    .description('Show a run: each step, the gate it waits at, its lock')
    .argument('[run]', 'run id, unique prefix, or "latest"', 'latest')
    .addHelpText('after', examples('release status', 'release status latest --json'))
    .action(async (runRef: string, _opts: object, cmd: Command) => {
      const { runStatus } = await import('./commands/status.js');
      setExit(await runStatus(io, opts(cmd, { run: runRef })));
    });

  program
    .command('signoff')
    .description('Decide the gate a run waits at (out of band, e.g. from CI or another terminal)')
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
    .action(async (runRef: string, _opts: object, cmd: Command) => {
      const { runSignoff } = await import('./commands/signoff.js');
      setExit(await runSignoff(io, opts(cmd, { run: runRef })));
    });

  withSandboxFlags(
    program
      .command('rollback')
      .description('Undo a run\'s changes in reverse order (only before the pivot: nothing can be un-published)')
      .argument('<run>', 'run id, unique prefix, or "latest"'),
  )
    .addHelpText('after', examples('release rollback latest'))
    .action(async (runRef: string, _opts: object, cmd: Command) => {
      const { runRollback } = await import('./commands/rollback.js');
      setExit(await runRollback(io, opts(cmd, { run: runRef })));
    });

  program
    .command('repair')
    .description('A damaged journal: compare what it says with the world, and record a human decision')
    .argument('<run>', 'run id, unique prefix, or "latest"')
    .option('--accept', 'the readable journal is the truth: the run can then be resumed or rolled back')
    .option('--abandon', 'close the run for good; the world is checked and fixed by hand')
    .option('--reason <text>', 'why, for the journal (required with a decision)')
    .addHelpText('after', examples(
      'release repair latest',
      'release repair 20261121-102233-3fa9 --accept --reason "world matches the journal" --yes',
      'release repair 20261121-102233-3fa9 --abandon --reason "restored by hand"',
    ))
    .action(async (runRef: string, _opts: object, cmd: Command) => {
      const { runRepair } = await import('./commands/repair.js');
      setExit(await runRepair(io, opts(cmd, { run: runRef })));
    });

  const damageControl = (cmd: Command) =>
    withSandboxFlags(cmd)
      .requiredOption('--reason <text>', 'why, for the journal and the team')
      .option('--dry-run', 'show the change as a before/after diff; change nothing', false)
      .option('--by <name>', 'who acts, for the journal (default: RELEASE_ACTOR, the CI actor, or your user name)');

  damageControl(
    program
      .command('maintenance')
      .description('Emergency stop: maintenance mode on for every user (or off again), journaled; undo with `release rollback <run>`')
      .argument('<on|off>', 'on shows the maintenance screen; off lifts it'),
  )
    .addHelpText('after', examples('release maintenance on --reason "2.0.0 crashes on start"', 'release maintenance off --reason "hotfix 2.0.1 is live" --yes', 'release maintenance on --reason drill --sandbox --dry-run'))
    .action(async (state: string, _opts: object, cmd: Command) => {
      const { runMaintenance } = await import('./commands/damage-control.js');
      setExit(await runMaintenance(io, opts(cmd, { state })));
    });

  damageControl(
    program
      .command('flag')
      .description('Kill switch: turn one existing feature flag off (or on), journaled; an unknown name is an error, never a new key')
      .argument('<name>', 'the feature flag, e.g. enable_new_registration_flow')
      .argument('<on|off>', 'off turns the feature off for every user'),
  )
    .addHelpText('after', examples('release flag enable_new_registration_flow off --reason "signup fails on 2.0.0"', 'release flag show_revamped_banner on --reason "fixed in 2.0.1" --yes'))
    .action(async (flag: string, state: string, _opts: object, cmd: Command) => {
      const { runFlag } = await import('./commands/damage-control.js');
      setExit(await runFlag(io, opts(cmd, { flag, state })));
    });

  damageControl(
    program
      .command('min-version')
      .description('Raise the force-update floor (minimum_version), journaled; never above the version live on that store')
      .argument('<version>', 'the new minimum_version, e.g. 2.0.1')
      .addOption(new Option('--platform <platform>', 'one platform only (default: both)').choices(['ios', 'android'])),
  )
    .option('--allow-lower-version', 'lowering the floor lets walled-off apps back in: only on purpose', false)
    .addHelpText('after', examples('release min-version 2.0.1 --reason "2.0.0 corrupts carts"', 'release min-version 2.0.1 --platform android --reason "Android-only crash" --yes'))
    .action(async (version: string, _opts: object, cmd: Command) => {
      const { runMinVersion } = await import('./commands/damage-control.js');
      setExit(await runMinVersion(io, opts(cmd, { version })));
    });

  program
    .command('runs')
    .description('List runs in the state directory')
    .addHelpText('after', examples('release runs', 'release runs --json'))
    .action(async (_opts: object, cmd: Command) => {
      const { runRuns } = await import('./commands/runs.js');
      setExit(await runRuns(io, opts(cmd)));
    });

  program
    .command('log')
    .description("Print a run's journal, event by event")
    .argument('<run>', 'run id, unique prefix, or "latest"')
    .addHelpText('after', examples('release log latest', 'release log latest --json | jq .type'))
    .action(async (runRef: string, _opts: object, cmd: Command) => {
      const { runLog } = await import('./commands/log.js');
      setExit(await runLog(io, opts(cmd, { run: runRef })));
    });

  program
    .command('report')
    .description('Print a run\'s timeline as Markdown with a Mermaid gantt chart (for a CI step summary)')
    .argument('<run>', 'run id, unique prefix, or "latest"')
    .addHelpText('after', examples('release report latest', 'release report latest >> "$GITHUB_STEP_SUMMARY"'))
    .action(async (runRef: string, _opts: object, cmd: Command) => {
      const { runReport } = await import('./commands/report.js');
      setExit(await runReport(io, opts(cmd, { run: runRef })));
    });

  program
    .command('validate')
    .description('Check playbooks (default: every playbook under playbooks/) and the release config')
    .argument('[files...]', 'playbook files or names')
    .addHelpText('after', examples('release validate', 'release validate playbooks/my-flip.yaml'))
    .action(async (files: string[], _opts: object, cmd: Command) => {
      const { runValidate } = await import('./commands/validate.js');
      setExit(await runValidate(io, opts(cmd, { files })));
    });

  program
    .command('init')
    .description('Write a commented release.config.yaml to start from')
    .option('--force', 'overwrite an existing file', false)
    .addHelpText('after', examples('release init', 'release init && release flip --sandbox'))
    .action(async (_opts: object, cmd: Command) => {
      const { runInit } = await import('./commands/init.js');
      setExit(await runInit(io, opts(cmd)));
    });

  program
    .command('doctor')
    .description('Check credentials and reach every provider with read-only calls')
    .addHelpText('after', examples('release doctor', 'ASC_PRIVATE_KEY="$(cat AuthKey.p8)" release doctor --json'))
    .action(async (_opts: object, cmd: Command) => {
      const { runDoctor } = await import('./commands/doctor.js');
      setExit(await runDoctor(io, opts(cmd)));
    });

  const recovery = program
    .command('app-recovery')
    .description('Play App Recovery (Android): make users of a bad version code update, even without a force-update wall')
    .addHelpText('after', examples(
      'release app-recovery create --versions 140-142 --reason "double charge at checkout"',
      'release app-recovery deploy 7001 --versions 140-142 --reason "double charge at checkout"',
      'release app-recovery list --versions 140-142',
    ));
  for (const operation of ['create', 'deploy', 'cancel'] as const) {
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
        setExit(await runAppRecovery(io, opts(command, { operation, recoveryId })));
      });
  }
  recovery
    .command('list')
    .description('List the App Recovery actions targeting version codes (read-only)')
    .option('--versions <range>', 'version codes: 142 or 140-142 (default: app.android.versionCode)')
    .addHelpText('after', examples('release app-recovery list --versions 140-142', 'release app-recovery list --versions 142 --json'))
    .action(async (_opts: object, cmd: Command) => {
      const { runAppRecoveryList } = await import('./commands/app-recovery.js');
      setExit(await runAppRecoveryList(io, opts(cmd)));
    });

  withSandboxFlags(
    program
      .command('policy')
      .description('The forced-upgrade policy: compatibility window, forced-upgrade surface, earliest API removal, and today\'s minimum_version; --apply raises it (journaled)')
      .option('--apply', 'raise minimum_version to what the policy asks, through a journaled min-version run (never above a version live on the stores)', false)
      .option('--markdown', 'print the decision record (five sections) with the numbers filled in', false)
      .option('--replaced-by <version>', 'the first version that no longer calls the old API (default: app.version)')
      .option('--reason <text>', 'with --apply: why, for the journal (default: the policy in words)')
      .option('--dry-run', 'with --apply: show the change; change nothing', false)
      .option('--by <name>', 'with --apply: who acts, for the journal'),
  )
    .addHelpText('after', examples('release policy', 'release policy --markdown >> docs/mobile-deployment-adr.md', 'release policy --json', 'release policy --apply --reason "quarterly floor" --yes', 'release policy --sandbox --apply'))
    .action(async (_opts: object, cmd: Command) => {
      const { runPolicy } = await import('./commands/policy.js');
      setExit(await runPolicy(io, opts(cmd)));
    });

  program
    .command('force-unlock')
    .description('Remove a stale lock (a run whose machine is gone); asks unless --yes')
    .argument('<lock-id>', 'the lock id printed by the locked error or `release status`')
    .option('--force', 'also remove a lock whose holder is alive (fresh lease or running process); it then stops writing', false)
    .addHelpText('after', examples('release force-unlock lk-3fa9c2d1 --yes', 'release force-unlock lk-3fa9c2d1 --force --yes   # the holder is hung'))
    .action(async (lockId: string, _opts: object, cmd: Command) => {
      const { runForceUnlock } = await import('./commands/force-unlock.js');
      setExit(await runForceUnlock(io, opts(cmd, { lockId })));
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
