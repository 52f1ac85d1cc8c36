/**
 * Running a user's command (deploy, rollback, smoke test, config read/write) with execa: an
 * argument array, no shell unless asked; placeholders and RELEASE_* env filled in; output streamed
 * line by line and kept in the run's log; a timeout; Ctrl-C stops it. A failure shows the last lines.
 * Every line is masked (secrets) before it goes anywhere: the log, the terminal, an error.
 */
import { appendFileSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fillPlaceholders as fill, placeholderEnv, type PlaceholderValues } from '../playbook/command-placeholders.js';
import type { CommandSpec } from '../playbook/provider-config.js';
import { parseDuration } from '../util/duration.js';
import type { Redact } from './redactor.js';

/** Where a team's commands run (deploy, rollback, smoke test), and where their output is kept. */
export interface CommandContext {
  baseDir: string;
  env: NodeJS.ProcessEnv;
  /** The run's logs/ folder. */
  logDir: string;
  /** Masks the run's secrets in each line of output (a deploy script may print its env). */
  redact?: Redact;
}

export interface CommandResult {
  stdout: string;
  lines: string[];
}

export class CommandFailed extends Error {
  constructor(
    readonly what: string,
    readonly reason: string,
    readonly lastLines: string[],
  ) {
    super(`${what} ${reason}${lastLines.length ? `; last lines:\n    ${lastLines.join('\n    ')}` : ''}`);
    this.name = 'CommandFailed';
  }
}

export function commandLine(spec: CommandSpec): string {
  return Array.isArray(spec.run) ? spec.run.join(' ') : spec.run;
}

export async function runCommand(
  what: string,
  spec: CommandSpec,
  opts: {
    vars?: PlaceholderValues;
    baseDir: string;
    env?: NodeJS.ProcessEnv;
    input?: string;
    signal?: AbortSignal;
    output?: (line: string) => void;
    /** Appends the output here (the run's log), with a header per run. */
    logFile?: string;
    /** Written with the child's pid while it runs, so a later process can tell it is still going. */
    pidFile?: string;
    redact?: Redact;
  },
): Promise<CommandResult> {
  const { execa } = await import('execa');
  const vars = opts.vars ?? {};
  const cwd = spec.cwd ? (isAbsolute(spec.cwd) ? spec.cwd : resolve(opts.baseDir, spec.cwd)) : opts.baseDir;
  const env = {
    ...(opts.env ?? process.env),
    ...spec.env,
    ...placeholderEnv(vars),
  };
  const timeout = parseDuration(spec.timeout);
  const log = (line: string) => opts.logFile && appendFileSync(opts.logFile, `${line}\n`);
  if (opts.logFile) {
    mkdirSync(dirname(opts.logFile), { recursive: true });
    log(`--- ${new Date().toISOString()} ${what}: ${commandLine(spec)}`);
  }
  const common = {
    cwd,
    env,
    extendEnv: false,
    timeout,
    cancelSignal: opts.signal,
    forceKillAfterDelay: 5000,
    input: opts.input,
    reject: false,
    all: true,
    lines: false,
  } as const;
  const child = Array.isArray(spec.run)
    ? execa(fill(spec.run[0]!, vars), spec.run.slice(1).map((a) => fill(a, vars)), common)
    : execa(fill(spec.run, vars), { ...common, shell: true });
  if (opts.pidFile && child.pid) {
    mkdirSync(dirname(opts.pidFile), { recursive: true });
    writeFileSync(opts.pidFile, JSON.stringify({ pid: child.pid, what, started: new Date().toISOString() }));
  }
  const tail: string[] = [];
  let partial = '';
  // A character split across two chunks must be decoded whole, or a unicode secret goes unmatched.
  const decoder = new StringDecoder('utf8');
  child.all?.on('data', (chunk: Buffer) => {
    const text = partial + decoder.write(chunk);
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) emit(line);
  });
  const redact = opts.redact ?? ((text: string) => text);
  const emit = (raw: string) => {
    const line = redact(raw);
    tail.push(line);
    if (tail.length > 20) tail.shift();
    log(line);
    opts.output?.(line);
  };
  const result = await child;
  partial += decoder.end();
  if (partial) emit(partial);
  if (opts.pidFile) rmSync(opts.pidFile, { force: true });
  const last = tail.slice(-8);
  if (result.isCanceled) throw opts.signal?.reason ?? new CommandFailed(what, 'was interrupted', last);
  if (result.timedOut) throw new CommandFailed(what, `did not finish within ${spec.timeout} and was stopped`, last);
  if (result.failed) {
    const reason = result.exitCode !== undefined ? `failed with exit code ${result.exitCode}` : `could not run: ${result.shortMessage ?? result.message}`;
    log(`--- ${what} ${reason}`);
    throw new CommandFailed(what, reason, last);
  }
  return { stdout: String(result.stdout ?? ''), lines: tail };
}

/** The pid of a command an earlier process started and that still runs, if any. */
export function runningCommand(pidFile: string): { pid: number; what: string; started: string } | undefined {
  let info: { pid: number; what: string; started: string };
  try {
    info = JSON.parse(readFileSync(pidFile, 'utf8')) as typeof info;
  } catch {
    return undefined;
  }
  try {
    process.kill(info.pid, 0);
    return info;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPERM') return info;
    rmSync(pidFile, { force: true });
    return undefined;
  }
}
