/**
 * Each command loads only what it uses: the real, built CLI runs with an import tracer preloaded
 * (fixtures/trace-imports.mjs records every module URL the process loaded; a bundle chunk counts
 * as the modules it holds, helpers/module-trace.ts), and each test names what that command must
 * never load. Start-up time is mostly module loading, so this is what keeps `release status` near
 * bare Node.
 */
import { execa } from 'execa';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { standardSink } from '../../src/cli/io.js';
import { BIN, cliEnv } from '../helpers/cli.js';
import { loadedModules, TRACE_NODE_ARGS } from '../helpers/module-trace.js';
import { storeProject } from '../helpers/store-project.js';
import { suiteDir, testdir } from '../helpers/testdir.js';


/** The process's module graph: our own modules as `dist/...` paths, packages as their names. */
interface Graph {
  code: number;
  stderr: string;
  own: string[];
  packages: string[];
  /** Node's own modules imported as ES modules (`node:fs`), each with an export facade. */
  builtins: string[];
  /** Files loaded as they are, outside the bundle (helpers/module-trace.ts). */
  files: string[];
}

async function traced(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Graph> {
  const traceFile = join(testdir(), 'imports.txt');
  const result = await execa('node', [...TRACE_NODE_ARGS, BIN, ...args], { cwd, env: cliEnv({ ...env, TRACE_IMPORTS_FILE: traceFile }), extendEnv: false, reject: false, stdin: 'ignore' });
  const { own, packages, chunks, files } = loadedModules(traceFile);
  // It ran from the bundle: what the chunks hold is what the process loaded.
  expect(chunks).toContain('dist/bundle/main.js');
  const builtins = [...new Set(readFileSync(traceFile, 'utf8').split('\n').filter((u) => u.startsWith('node:')))];
  return { code: result.exitCode ?? -1, stderr: String(result.stderr), own, packages, builtins, files };
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
  const dir = suiteDir();
  let runId: string;
  let lockId: string;

  beforeAll(async () => {
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
    expect(graph.builtins).toEqual([]); // no builtin as an ES module (see the sandbox flip below)
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
    // As the one file the build bundled it into (util/yaml.ts), not as its package's 72 files.
    expect(edited.own).toContain('dist/vendor/yaml.cjs');
    expect(edited.files.filter((f) => f.includes('/node_modules/yaml/'))).toEqual([]);
  });

  it('validate checks with the schema but loads no provider adapter or SDK', async () => {
    const graph = await traced(['validate'], dir);
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.packages).toContain('zod');
    expect(graph.packages.filter((p) => SDKS.includes(p) || p === 'execa' || p === 'chalk')).toEqual([]);
    expect(graph.own.filter((m) => ADAPTERS.test(m))).toEqual([]);
    expect(graph.builtins).toEqual([]);
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
    // No builtin imported as an ES module, each with a facade to build (bundle.ts, builtinsAsTheyAre).
    expect(graph.builtins).toEqual([]);
    // Output to a pipe has no colour: its view loads no chalk (views/styles.ts).
    expect(graph.packages).not.toContain('chalk');
  });

  it('a sandbox flip with colour wanted (FORCE_COLOR) loads chalk and colours its progress', async () => {
    const dir = testdir();
    const graph = await traced(['flip', '--sandbox'], dir, { FORCE_COLOR: '1' });
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.packages).toContain('chalk');
    expect(graph.stderr).toContain('\u001b[32m✔\u001b[39m verify-manual-publishing');
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
  const waiting = suiteDir();
  const finished = suiteDir();
  let runId: string;
  let lockId: string;

  beforeAll(async () => {
    const done = await execa('node', [BIN, 'flip', '--sandbox'], { cwd: finished, env: cliEnv(), extendEnv: false, reject: false, stdin: 'ignore' });
    expect(done.exitCode, String(done.stderr)).toBe(0);
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

// What Node loads of its own at start-up, and which of process.stdin/stdout/stderr the CLI makes
// (Node makes each on first use; a pipe's costs a socket): a preload notes both at exit.
describe('start-up: Node modules and standard streams', () => {
  // Through require: importing node:fs as an ES module would itself load Node's streams.
  const NOTE = `data:text/javascript,${encodeURIComponent(`import { createRequire } from 'node:module';
const { writeFileSync } = createRequire('/')('node:fs');
const made = [];
for (const name of ['stdin', 'stdout', 'stderr']) {
  const { get } = Object.getOwnPropertyDescriptor(process, name);
  Object.defineProperty(process, name, { configurable: true, enumerable: true, get() { if (!made.includes(name)) made.push(name); return get.call(process); } });
}
process.on('exit', () => writeFileSync(process.env.START_UP_NOTE, JSON.stringify({ made, builtins: process.moduleLoadList })));`)}`;

  async function started(args: string[]): Promise<{ code: number; made: string[]; builtins: string[] }> {
    const note = join(testdir(), 'start-up.json');
    const result = await execa('node', ['--import', NOTE, BIN, ...args], { cwd: testdir(), env: cliEnv({ START_UP_NOTE: note }), extendEnv: false, reject: false });
    return { code: result.exitCode ?? -1, ...(JSON.parse(readFileSync(note, 'utf8')) as { made: string[]; builtins: string[] }) };
  }

  // commander requires child_process at load for executable subcommands, which this CLI has none of.
  it.each(['--version', '--help', 'runs'])('release %s loads no child_process (the bundle hands commander a lazy one)', async (command) => {
    const run = await started(command.split(' '));
    expect(run.code).toBe(0);
    expect(run.builtins.filter((m) => /child_process|dgram/.test(m))).toEqual([]);
  });

  // Output goes straight to the descriptor (io.ts standardSink): Node's stdout stream would load net and streams.
  it.each(['--version', '--help'])('release %s makes no process.stdin, stdout or stderr, and loads no net or stream module', async (command) => {
    const run = await started([command]);
    expect(run.code).toBe(0);
    expect(run.made).toEqual([]);
    expect(run.builtins.filter((m) => /^NativeModule (net|stream|internal\/streams\/(readable|writable|duplex))$/.test(m))).toEqual([]);
  });
});

describe('start-up: output straight to the descriptor', () => {
  // standardSink writes with writeSync; a descriptor that refuses (here one closed: EBADF; in life
  // a full non-blocking pipe: EAGAIN) hands that write and every later one to Node's stream, in order.
  it('a descriptor that refuses a write hands it and the rest, in order, to the stream', () => {
    const file = join(testdir(), 'closed.txt');
    const fd = openSync(file, 'w');
    closeSync(fd);
    const stream = new PassThrough();
    let made = 0;
    const sink = standardSink(fd, () => (made++, stream));
    sink.write('first ');
    sink.write('second');
    expect(made).toBe(1);
    expect(String(stream.read())).toBe('first second');
  });

  it('while the process listens for a signal, writes go through the stream (a handler never waits on a slow reader)', () => {
    const file = join(testdir(), 'open.txt');
    const fd = openSync(file, 'w');
    const stream = new PassThrough();
    const onSignal = () => undefined;
    process.on('SIGHUP', onSignal);
    try {
      const sink = standardSink(fd, () => stream);
      sink.write('during a run');
    } finally {
      process.off('SIGHUP', onSignal);
      closeSync(fd);
    }
    expect(String(stream.read())).toBe('during a run');
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('a descriptor that takes the write needs no stream', () => {
    const file = join(testdir(), 'open.txt');
    const fd = openSync(file, 'w');
    try {
      // Not in a run, whatever listeners other tests in this worker left on the process.
      const sink = standardSink(
        fd,
        () => {
          throw new Error('no stream should be made');
        },
        () => false,
      );
      sink.write('héllo ');
      sink.write('wörld\n');
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(file, 'utf8')).toBe('héllo wörld\n');
  });
});

describe('bundle: the paths many commands share are one chunk each', () => {
  const meta = () => JSON.parse(readFileSync(fileURLToPath(new URL('../../dist/bundle/meta.json', import.meta.url)), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const chunksOf = (modules: string[]) => {
    const outputs = Object.entries(meta().outputs);
    return [...new Set(modules.flatMap((module) => outputs.filter(([, out]) => module in out.inputs).map(([chunk]) => chunk)))];
  };

  it('what main.js loads for every command (io, exit, errors, the program and commander) is one chunk, so --help opens main.js, that chunk and esbuild\'s helpers', () => {
    expect(chunksOf(['dist/cli/program.js', 'dist/cli/io.js', 'dist/cli/exit.js', 'dist/errors.js', 'dist/providers/redactor.js', 'node_modules/commander/index.js'])).toHaveLength(1);
  });

  it('the modules every reading command loads beyond main.js (run store, journal, state, locks) share one chunk, so status opens few files', () => {
    expect(chunksOf(['dist/engine/runs.js', 'dist/engine/journal.js', 'dist/engine/journal-line.js', 'dist/engine/state.js', 'dist/engine/lock.js', 'dist/engine/backends/local.js'])).toHaveLength(1);
  });

  it('most of what a flip loads beyond that is one chunk too (the run path: drive, adapters, the action registry, the sandbox)', () => {
    expect(chunksOf(['dist/cli/drive.js', 'dist/cli/adapters.js', 'dist/actions/registry.js', 'dist/providers/sandbox/index.js'])).toHaveLength(1);
  });
});
