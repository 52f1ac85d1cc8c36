/** `--help` on every command, with examples; `release --help` loads commander and nothing heavy. */
import { Help, type Command } from 'commander';
import { execa } from 'execa';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildProgram, LazyCommand } from '../../src/cli/program.js';
import { BIN, cliEnv, release } from '../helpers/cli.js';
import { releaseInProcess } from '../helpers/in-process.js';
import { loadedModules, TRACE_NODE_ARGS } from '../helpers/module-trace.js';
import { testdir } from '../helpers/testdir.js';

const COMMANDS = ['flip', 'plan', 'resume', 'status', 'signoff', 'rollback', 'runs', 'log', 'report', 'validate', 'init', 'force-unlock', 'repair', 'maintenance', 'flag', 'min-version', 'app-recovery', 'app-recovery create', 'app-recovery deploy', 'app-recovery cancel', 'app-recovery list', 'policy', 'state', 'state migrate'];

// The program's own help and --version go through the binary; each command's help, 45 of them,
// in-process through main() (the same program, without a Node start-up each).
describe('--help', () => {
  it('the program lists every command, the exit codes and examples', async () => {
    const result = await release(['--help'], { cwd: testdir() });
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toContain(command.split(' ')[0]);
    expect(result.stdout).toContain('Exit codes:');
    expect(result.stdout).toMatch(/10 {2}paused at a gate/);
    expect(result.stdout).toContain('Examples:');
  });

  it.each(COMMANDS)('release %s --help shows usage with examples', async (command) => {
    const result = await releaseInProcess([...command.split(' '), '--help'], { cwd: testdir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: release ${command}`);
    expect(result.stdout).toMatch(/Examples:\n {2}\$ release|Examples:\n {2}\$ npx release|Examples:\n {2}\$ CI=1 release/);
  });

  // Commander shows a parent's options only when asked (showGlobalOptions): without it, `flip --help`
  // hid --sandbox, --yes and --json, the flags a first rehearsal needs.
  it.each([...COMMANDS, 'doctor'])('release %s --help lists the global options', async (command) => {
    const result = await releaseInProcess([...command.split(' '), '--help'], { cwd: testdir() });
    expect(result.code).toBe(0);
    const globals = result.stdout.slice(result.stdout.indexOf('Global Options:'));
    expect(result.stdout).toContain('Global Options:');
    for (const flag of ['--json', '--yes', '--sandbox', '--state-dir <dir>', '--no-input', '--config <file>']) expect(globals).toContain(flag);
  });

  it('flip, plan and resume take --allow-lower-version', async () => {
    for (const command of ['flip', 'plan', 'resume']) {
      const result = await releaseInProcess([...command.split(' '), '--help'], { cwd: testdir() });
      expect(result.stdout).toContain('--allow-lower-version');
    }
  });

  it('release --help loads no store SDK, no zod, no yaml: only commander and the program', async () => {
    const dir = testdir();
    const traceFile = join(dir, 'imports.txt');
    const result = await execa('node', [...TRACE_NODE_ARGS, BIN, '--help'], { cwd: dir, env: cliEnv({ TRACE_IMPORTS_FILE: traceFile }), extendEnv: false, reject: false });
    expect(result.exitCode).toBe(0);
    const loaded = loadedModules(traceFile);
    expect(loaded.own).toContain('dist/cli/program.js');
    expect(loaded.packages.filter((p) => /androidpublisher|googleapis|app-store-connect|firebase|zod|^yaml$|execa|inquirer|chalk/.test(p))).toEqual([]);
  });

  it('--version prints the version', async () => {
    const result = await release(['--version'], { cwd: testdir() });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('a sandbox flip never loads a store SDK', async () => {
    const dir = testdir();
    const traceFile = join(dir, 'imports.txt');
    const result = await execa('node', [...TRACE_NODE_ARGS, BIN, 'flip', '--sandbox'], { cwd: dir, env: cliEnv({ TRACE_IMPORTS_FILE: traceFile }), extendEnv: false, reject: false });
    expect(result.exitCode).toBe(0);
    const loaded = loadedModules(traceFile);
    expect(loaded.own).toContain('dist/providers/sandbox/stores.js'); // the simulated stores served it
    expect(loaded.own.filter((m) => m === 'dist/providers/stores/google-play.js')).toEqual([]); // nor the real adapter's code
    expect(loaded.packages.filter((p) => /@googleapis|app-store-connect-api|^jose$/.test(p))).toEqual([]);
  });

  it('a usage mistake exits 2', async () => {
    const result = await release(['flip', '--no-such-flag'], { cwd: testdir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-flag'");
  });

  // Each command's options are built only when it is used (LazyCommand): until then the program's
  // list names it by a declared term, which must say what commander itself says once it is built.
  it('the command list names each command as commander does once it is defined', () => {
    const program = buildProgram(silentIO(), () => undefined);
    const lazy = program.commands.filter((cmd): cmd is LazyCommand => cmd instanceof LazyCommand);
    expect(lazy.map((cmd) => cmd.name())).toEqual(program.commands.map((cmd) => cmd.name()));
    for (const cmd of lazy) expect(new Help().subcommandTerm(cmd.define()), cmd.name()).toBe(cmd.term);
  });

  it('--version builds no command; a command asked for builds only itself', async () => {
    const defined = (program: Command) => program.commands.filter((cmd) => cmd.options.length > 0 || cmd.registeredArguments.length > 0).map((cmd) => cmd.name());
    const version = buildProgram(silentIO(), () => undefined);
    await expect(version.parseAsync(['--version'], { from: 'user' })).rejects.toMatchObject({ code: 'commander.version' });
    expect(defined(version)).toEqual([]);
    const flipHelp = buildProgram(silentIO(), () => undefined);
    await expect(flipHelp.parseAsync(['--json', 'flip', '--help'], { from: 'user' })).rejects.toMatchObject({ code: 'commander.helpDisplayed' });
    expect(defined(flipHelp)).toEqual(['flip']);
  });

  // The bundle writes in the program's help for a reader that is no terminal (program.ts
  // ReleaseProgram); the CLI run from tsc's output formats it when asked: the two must agree.
  it('the bundled --help is the program help formatted, for a pipe and on stderr', async () => {
    const unbundled = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
    const formatted = (args: string[]) => execa('node', ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(unbundled)}); process.exitCode = await main(${JSON.stringify(args)});`], { cwd: testdir(), env: cliEnv(), extendEnv: false, reject: false });
    const bundled = await release(['--help'], { cwd: testdir() });
    expect(bundled.stdout).toBe(String((await formatted(['--help'])).stdout));
    // No command: the help goes to stderr, as an error.
    const bare = await execa('node', [BIN], { cwd: testdir(), env: cliEnv(), extendEnv: false, reject: false });
    expect(String(bare.stderr)).toBe(String((await formatted([])).stderr));
    expect(String(bare.stderr)).toContain('Usage: release [options] [command]');
  });

  it('release help <command> shows that command in full', async () => {
    const result = await releaseInProcess(['help', 'flip'], { cwd: testdir() });
    expect(result.stdout).toBe((await releaseInProcess(['flip', '--help'], { cwd: testdir() })).stdout);
    expect(result.stdout).toContain('--sandbox-fail <step[:platform]>');
  });
});

/** The program's output goes nowhere: these tests look at the command tree it built. */
function silentIO(): Parameters<typeof buildProgram>[0] {
  const sink = { write: () => true };
  return { out: sink, err: sink } as unknown as Parameters<typeof buildProgram>[0];
}
