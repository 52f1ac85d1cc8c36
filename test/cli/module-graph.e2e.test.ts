/**
 * Each command loads only what it uses: the real, built CLI runs with an import tracer preloaded
 * (fixtures/trace-imports.mjs records every module URL the process resolves; a bundle chunk counts
 * as the modules it holds, helpers/module-trace.ts), and each test names what that command must
 * never load. Start-up time is mostly module loading, so this is what keeps `release status` near
 * bare Node.
 */
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv } from '../helpers/cli.js';
import { loadedModules } from '../helpers/module-trace.js';
import { storeProject } from '../helpers/store-project.js';
import { testdir } from '../helpers/testdir.js';

const TRACE = fileURLToPath(new URL('../fixtures/trace-imports.mjs', import.meta.url));

/** The process's module graph: our own modules as `dist/...` paths, packages as their names. */
interface Graph {
  code: number;
  stderr: string;
  own: string[];
  packages: string[];
  /** Node's own modules imported as ES modules (`node:fs`), each with an export facade. */
  builtins: string[];
}

async function traced(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Graph> {
  const traceFile = join(testdir(), 'imports.txt');
  const result = await execa('node', ['--import', TRACE, BIN, ...args], { cwd, env: cliEnv({ ...env, TRACE_IMPORTS_FILE: traceFile }), extendEnv: false, reject: false, stdin: 'ignore' });
  const { own, packages, chunks } = loadedModules(traceFile);
  // It ran from the bundle: what the chunks hold is what the process loaded.
  expect(chunks).toContain('dist/bundle/main.js');
  const builtins = [...new Set(readFileSync(traceFile, 'utf8').split('\n').filter((u) => u.startsWith('node:')))];
  return { code: result.exitCode ?? -1, stderr: String(result.stderr), own, packages, builtins };
}

/** Every SDK a provider may need; only the ports a run really uses may load theirs, and only when a step calls them. */
const SDKS = ['@googleapis/androidpublisher', 'googleapis-common', 'google-auth-library', 'firebase-admin', '@rage-against-the-pixel/app-store-connect-api', 'jose'];
/** The config schema and the playbook loader, and what they bring. */
const SCHEMA = ['zod', 'yaml', 'semver'];
/** A step's implementation (action-meta.ts and rollout-schedules.ts are plain data). */
const ACTION_CODE = /^dist\/actions\/(?!action-meta\.js$|rollout-schedules\.js$)/;
/** The adapters that serve the ports (a port's interface, port.ts, is not an adapter). */
const ADAPTERS = /^dist\/providers\/(sandbox\/|notify\/|signoff\/|backend\/|metrics\/(?!port\.js)|stores\/(?!port\.js|store-error\.js)|config\/(?!port\.js|compare-and-set\.js|propagation\.js)|process\.js|dry-run\.js)/;
const SCHEMA_MODULES = /^dist\/playbook\/(release-config|provider-config|schema|load|yaml-source)\.js$/;

describe('module graph: each command loads only what it uses', () => {
  let dir: string;
  let runId: string;
  let lockId: string;

  beforeAll(async () => {
    dir = testdir({}, (fn) => afterAll(fn));
    // A flip that waits at its first gate keeps its lock: every reading command has something to show.
    const flip = await execa('node', [BIN, 'flip', '--sandbox', '--sandbox-gates', 'manual', '--json'], { cwd: dir, env: cliEnv(), extendEnv: false, reject: false, stdin: 'ignore' });
    expect(flip.exitCode, String(flip.stderr)).toBe(10);
    const status = await execa('node', [BIN, 'status', '--json'], { cwd: dir, env: cliEnv(), extendEnv: false, reject: false });
    const shown = JSON.parse(String(status.stdout)) as { runId: string; lock: { id: string } };
    runId = shown.runId;
    lockId = shown.lock.id;
  });

  const reading: [string, () => string[]][] = [
    ['status', () => ['status']],
    ['status --json', () => ['status', runId, '--json']],
    ['runs', () => ['runs']],
    ['log', () => ['log', runId]],
    ['log --json', () => ['log', 'latest', '--json']],
    ['report', () => ['report', runId]],
    ['force-unlock', () => ['force-unlock', lockId, '--yes']],
  ];

  // Ordered: force-unlock removes the lock the others show.
  it.each(reading)('%s loads no zod, yaml, semver, action, adapter, SDK or executor', async (_name, args) => {
    const graph = await traced(args(), dir);
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.own).toContain('dist/engine/runs.js'); // it did read the run
    expect(graph.packages.filter((p) => SCHEMA.includes(p) || SDKS.includes(p) || p === 'execa' || p === '@inquirer/prompts')).toEqual([]);
    expect(graph.own.filter((m) => ACTION_CODE.test(m) || ADAPTERS.test(m) || SCHEMA_MODULES.test(m))).toEqual([]);
    // What a run's state permits is asked of engine/run-verdicts.ts: reading never loads the machine that runs steps.
    expect(graph.own).not.toContain('dist/engine/executor.js');
  });

  it('validate parses an edited config with yaml (the tracer sees CommonJS too); the config as init wrote it needs no parser', async () => {
    const project = testdir();
    await execa('node', [BIN, 'init'], { cwd: project, env: cliEnv(), extendEnv: false });
    const asWritten = await traced(['validate'], project);
    expect(asWritten.code, asWritten.stderr).toBe(0);
    expect(asWritten.packages).not.toContain('yaml');
    const file = join(project, 'release.config.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('name: Example Shop', 'name: Our Shop'));
    const edited = await traced(['validate'], project);
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.packages).toContain('yaml');
  });

  it('validate checks with the schema but loads no provider adapter or SDK', async () => {
    const graph = await traced(['validate'], dir);
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.packages).toContain('zod');
    expect(graph.packages.filter((p) => SDKS.includes(p) || p === 'execa' || p === 'chalk')).toEqual([]);
    expect(graph.own.filter((m) => ADAPTERS.test(m))).toEqual([]);
  });

  it('doctor with local state loads no PostgreSQL driver (the state choice is read without it)', async () => {
    const project = testdir();
    await execa('node', [BIN, 'init'], { cwd: project, env: cliEnv(), extendEnv: false });
    const graph = await traced(['doctor'], project);
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.packages.filter((p) => p === 'pg' || p === 'pg-connection-string')).toEqual([]);
    expect(graph.own.filter((m) => m.startsWith('dist/engine/backends/postgres/') && m !== 'dist/engine/backends/postgres/options.js')).toEqual([]);
  });

  it.each(['--version', '--help', 'status --help'])('release %s loads commander and the program only', async (command) => {
    const graph = await traced(command.split(' '), dir);
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.packages).toEqual(['commander']);
    expect(graph.own.filter((m) => !/^dist\/(cli\/(main|program|io|exit|secret-mask|open-stores)|providers\/redactor|errors|util\/map-strings)\.js$/.test(m))).toEqual([]);
  });

  it('a sandbox flip loads no SDK, no process runner and no prompt library', async () => {
    const graph = await traced(['flip', '--sandbox'], testdir());
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.packages.filter((p) => SDKS.includes(p) || p === 'execa' || p === '@inquirer/prompts')).toEqual([]);
    // The built-in config and playbook come parsed with the package (parsed-builtins.ts): no YAML parser.
    expect(graph.packages).not.toContain('yaml');
    // Every port is simulated: no real adapter's code either (cli/real-adapters.ts and what it loads).
    expect(graph.own).toContain('dist/providers/sandbox/index.js');
    expect(graph.own.filter((m) => m === 'dist/cli/real-adapters.js' || (ADAPTERS.test(m) && !m.startsWith('dist/providers/sandbox/') && m !== 'dist/providers/dry-run.js'))).toEqual([]);
  });

  it('no command imports node:process as an ES module: its facade reads every property of process, the flag set too (~5 ms)', async () => {
    for (const args of [['flip', '--sandbox', '--json', '--state-dir', join(testdir(), 'state')], ['status'], ['validate']]) {
      const graph = await traced(args, dir);
      expect(graph.code, graph.stderr).toBe(0);
      expect(graph.builtins).not.toContain('node:process');
    }
  });

  it('with a real store: validate and status load no SDK; a flip loads that store\'s SDK when a step calls it, and no other', async () => {
    const stores = await storeProject({ iosOnly: true });
    try {
      stores.asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' }); // approved, waiting for the manual release
      const validate = await traced(['validate'], stores.dir, stores.env);
      expect(validate.code, validate.stderr).toBe(0);
      expect(validate.packages.filter((p) => SDKS.includes(p))).toEqual([]);

      const flip = await traced(['flip', '--until', 'verify-manual-publishing', '--json'], stores.dir, stores.env);
      expect(flip.code, flip.stderr).toBe(0);
      expect(flip.packages).toEqual(expect.arrayContaining(['@rage-against-the-pixel/app-store-connect-api', 'jose']));
      expect(flip.packages.filter((p) => ['@googleapis/androidpublisher', 'googleapis-common', 'google-auth-library', 'firebase-admin'].includes(p))).toEqual([]);

      const status = await traced(['status'], stores.dir, stores.env);
      expect(status.code, status.stderr).toBe(0);
      expect(status.packages.filter((p) => SDKS.includes(p) || SCHEMA.includes(p))).toEqual([]);
    } finally {
      await stores.stop();
    }
  });
});

describe('module graph: a reading command loads what its output needs, no more', () => {
  let waiting: string;
  let finished: string;
  let runId: string;
  let lockId: string;

  beforeAll(async () => {
    finished = testdir({}, (fn) => afterAll(fn));
    const done = await execa('node', [BIN, 'flip', '--sandbox'], { cwd: finished, env: cliEnv(), extendEnv: false, reject: false, stdin: 'ignore' });
    expect(done.exitCode, String(done.stderr)).toBe(0);
    waiting = testdir({}, (fn) => afterAll(fn));
    const flip = await execa('node', [BIN, 'flip', '--sandbox', '--sandbox-gates', 'manual', '--json'], { cwd: waiting, env: cliEnv(), extendEnv: false, reject: false, stdin: 'ignore' });
    expect(flip.exitCode, String(flip.stderr)).toBe(10);
    const status = await execa('node', [BIN, 'status', '--json'], { cwd: waiting, env: cliEnv(), extendEnv: false, reject: false });
    const shown = JSON.parse(String(status.stdout)) as { runId: string; lock: { id: string } };
    runId = shown.runId;
    lockId = shown.lock.id;
  });

  it.each([
    ['status', () => ['status']],
    ['log', () => ['log', runId]],
  ])('%s printing to a pipe loads no chalk: without colour the text is plain', async (_name, args) => {
    const graph = await traced(args(), waiting);
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.packages).not.toContain('chalk');
  });

  it('status with colour wanted (FORCE_COLOR) loads chalk and prints its basic ANSI styles', async () => {
    const graph = await traced(['status'], waiting, { FORCE_COLOR: '1' });
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.packages).toContain('chalk');
    const shown = await execa('node', [BIN, 'status'], { cwd: waiting, env: cliEnv({ FORCE_COLOR: '1' }), extendEnv: false });
    expect(String(shown.stdout)).toContain(`\u001b[1mRun ${runId}: `);
    expect(String(shown.stdout)).toContain('\u001b[33mWaiting at gate ');
  });

  it('status of a finished run loads no context: its hints (resume, rollback, repair) are not printed', async () => {
    const graph = await traced(['status'], finished);
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.own).not.toContain('dist/cli/context.js');
  });

  it('status of a run that can be resumed prints the commands for it', async () => {
    // The lock's holder is parked (the flip exited at the gate): the hints are shown.
    const shown = await execa('node', [BIN, 'status'], { cwd: waiting, env: cliEnv(), extendEnv: false });
    expect(String(shown.stdout)).toContain(`Continue: release resume ${runId}`);
  });

  it('force-unlock --yes loads no prompter and no context: nobody is asked', async () => {
    const graph = await traced(['force-unlock', lockId, '--yes'], waiting);
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.own.filter((m) => m === 'dist/cli/prompter.js' || m === 'dist/cli/context.js')).toEqual([]);
  });
});

describe('module graph: what validate loads of Node itself', () => {
  /** Node's own modules the process loaded (`crypto`, `fs`...), as process.moduleLoadList names them at exit. */
  async function nodeModules(args: string[], cwd: string): Promise<{ code: number; stderr: string; builtins: string[] }> {
    const listFile = join(testdir(), 'builtins.json');
    const preload = `data:text/javascript,import { writeFileSync } from 'node:fs'; process.on('exit', () => writeFileSync(${JSON.stringify(listFile)}, JSON.stringify(process.moduleLoadList)));`;
    const result = await execa('node', ['--import', preload, BIN, ...args], { cwd, env: cliEnv(), extendEnv: false, reject: false, stdin: 'ignore' });
    const list = JSON.parse(readFileSync(listFile, 'utf8')) as string[];
    return { code: result.exitCode ?? -1, stderr: String(result.stderr), builtins: list.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length)) };
  }

  it('validate of the config as init wrote it and the built-in playbooks loads no node:crypto (the parsed built-ins are keyed by their text, not a hash)', async () => {
    const project = testdir();
    await execa('node', [BIN, 'init'], { cwd: project, env: cliEnv(), extendEnv: false });
    const graph = await nodeModules(['validate'], project);
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.stderr).toContain('(built-in)');
    expect(graph.builtins).toContain('fs');
    expect(graph.builtins).not.toContain('crypto');
  });

  it('validate reports the built-in playbooks as the build checked them, loading no action and no playbook checker; a playbook of its own is checked in full', async () => {
    const project = testdir();
    await execa('node', [BIN, 'init'], { cwd: project, env: cliEnv(), extendEnv: false });
    const shipped = await traced(['validate'], project);
    expect(shipped.code, shipped.stderr).toBe(0);
    expect(shipped.stderr).toContain('scenario-b.yaml (built-in) (7 steps)');
    expect(shipped.own.filter((m) => ACTION_CODE.test(m) || m === 'dist/actions/registry.js' || m === 'dist/playbook/load.js')).toEqual([]);
    // A copy of a built-in with one step broken is not the shipped text: loaded and checked.
    const builtIn = readFileSync(fileURLToPath(new URL('../../playbooks/kill-switch.yaml', import.meta.url)), 'utf8');
    writeFileSync(join(project, 'mine.yaml'), builtIn.replace(/uses: \S+/, 'uses: backend/deploi'));
    const own = await traced(['validate', 'mine.yaml'], project);
    expect(own.code).toBe(2);
    expect(own.stderr).toMatch(/mine\.yaml:\d+:\d+: steps\[0\]\.uses: unknown action "backend\/deploi"/);
    expect(own.own).toContain('dist/actions/registry.js');
  });
});
