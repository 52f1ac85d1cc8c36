/**
 * The program: its global options, its help, and the command tree (command-tree.ts), in which
 * only the command invoked gets its options defined (lazy-command.ts).
 */
import { createRequire } from 'node:module';
import { CommanderError, Command } from 'commander';
import { EXIT_CODES, EXIT_CODE_HELP } from '../errors.js';
import { COMMANDS, examples, type CommandRun } from './command-tree.js';
import type { IO } from './io.js';
import { LazyCommand, subcommandTerm } from './lazy-command.js';

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

/**
 * Not through `node:fs`: an ES module importing it makes Node build its whole namespace, which
 * loads the fs streams too (`node:module` is loaded anyway: the bundle's chunks import it).
 */
function packageVersion(): string {
  if (typeof __RELEASE_VERSION__ === 'string') return __RELEASE_VERSION__;
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
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
    .configureHelp({ showGlobalOptions: true, subcommandTerm })
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) });

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
