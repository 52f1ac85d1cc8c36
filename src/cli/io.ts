/**
 * The process's streams and environment as one value, so commands never touch globals and tests
 * pass their own. stdout carries only results (`--json`: NDJSON only); people read stderr.
 */
import { writeSync } from 'node:fs';
import type { GitHubActions } from './github-actions.js';
import { SecretMask } from './secret-mask.js';

export interface TextSink {
  write(text: string): unknown;
}

export interface IO {
  /** Both masked with `mask`. */
  out: TextSink;
  err: TextSink;
  /** The secrets learned so far (secret-mask.ts). */
  mask: SecretMask;
  /** The same streams unmasked: only for GitHub's `::add-mask::`, which must name a secret to hide it. */
  unmasked: { out: TextSink; err: TextSink };
  /** Set when running as a GitHub Actions step (GITHUB_ACTIONS=true): see github-actions.ts. */
  github?: GitHubActions;
  /** Raw streams for interactive prompts (which must draw on stderr, never stdout). */
  stdin: NodeJS.ReadableStream;
  stderrStream: NodeJS.WritableStream;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  stderrColumns: number;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Leaves at once (a second Ctrl-C); only the launcher may end the process. */
  exitNow(code: number): never;
}

type Stream = NodeJS.WritableStream & { destroyed?: boolean };

/**
 * Node makes each of process.stdin, stdout and stderr on first use, and a pipe's or a terminal's
 * costs a socket and some 25 of Node's own modules (net, streams): nothing here touches one before
 * a command needs it, and output is written straight to the file descriptor (standardSink), so
 * `release --version` or `--help` makes none.
 */
export function processIO(exitNow: (code: number) => never): IO {
  const mask = new SecretMask();
  const out = standardSink(1, () => (stdoutStream = process.stdout));
  const err = standardSink(2, () => process.stderr);
  return {
    out: mask.sink(out),
    err: mask.sink(err),
    mask,
    unmasked: { out, err },
    get stdin() {
      return process.stdin;
    },
    get stderrStream() {
      return process.stderr;
    },
    get stdinIsTTY() {
      return Boolean(process.stdin.isTTY);
    },
    get stdoutIsTTY() {
      return Boolean(process.stdout.isTTY);
    },
    get stderrIsTTY() {
      return Boolean(process.stderr.isTTY);
    },
    get stderrColumns() {
      return process.stderr.columns ?? 100;
    },
    env: process.env,
    cwd: process.cwd(),
    exitNow,
  };
}

/** process.stdout, once the CLI's output went through it (standardSink). */
let stdoutStream: Stream | undefined;

/**
 * Calls `done` once the CLI's output to stdout is out: at once when it was written straight to
 * the descriptor, else when Node's stream has drained, unless its reader is gone (a closed pipe
 * never delays the exit). The launcher's last step.
 */
export function afterOutput(done: () => void): void {
  if (!stdoutStream || stdoutStream.destroyed || !stdoutStream.writable) return done();
  stdoutStream.write('', () => done());
}

/**
 * Writes to a standard descriptor synchronously, as Node's own stream does on Linux for files,
 * pipes and terminals, without making that stream. Node's stream takes this write and every later
 * one, in order, when the descriptor would block (EAGAIN: one made non-blocking, and full) or
 * fails otherwise, and once the process listens for a signal (a run, drive.ts): a write to a
 * slow reader then waits in the kernel, and the handler would wait with it. A reader gone
 * (EPIPE) drops the output, as droppingSink does.
 */
export function standardSink(fd: number, streamOf: () => Stream, inRun: () => boolean = listensForSignals): TextSink {
  let stream: ReturnType<typeof droppingSink> | undefined;
  let broken = false;
  return {
    write(text: string) {
      if (broken) return false;
      if (!stream && inRun()) stream = droppingSink(streamOf());
      if (stream) return stream.write(text);
      let rest: string | Uint8Array = text;
      try {
        const written = writeSync(fd, text);
        if (written === Buffer.byteLength(text)) return true;
        rest = Buffer.from(text).subarray(written);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EPIPE') {
          broken = true;
          return false;
        }
      }
      stream = droppingSink(streamOf());
      return stream.write(rest);
    },
  };
}

const listensForSignals = () => process.listenerCount('SIGINT') + process.listenerCount('SIGTERM') + process.listenerCount('SIGHUP') > 0;

/**
 * A closed pipe (`release flip | head -3`, a CI log reader gone) must never stop a run: once the
 * stream fails, output is dropped and the run goes on to finish or park normally.
 */
export function droppingSink(stream: Stream): { write(text: string | Uint8Array): boolean } {
  let broken = false;
  stream.on('error', () => {
    broken = true;
  });
  return {
    write(text: string | Uint8Array) {
      if (broken || stream.destroyed) return false;
      try {
        return stream.write(text);
      } catch {
        broken = true;
        return false;
      }
    },
  };
}

/** Prompts only for a person at a terminal: never in CI, never with --no-input, never piped. */
export function canPrompt(io: IO, noInput: boolean): boolean {
  return !noInput && io.stdinIsTTY && io.stderrIsTTY && !isCI(io.env);
}

/** A GitHub Actions step: the runner sets GITHUB_ACTIONS=true (github-actions.ts). */
export function inGitHubActions(env: NodeJS.ProcessEnv): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

export function isCI(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
}

/** https://no-color.org: any non-empty NO_COLOR turns colour off; so does a stream that is not a terminal. */
export function wantsColor(io: IO, stream: 'out' | 'err' = 'err'): boolean {
  if (io.env.NO_COLOR) return false;
  if (io.env.FORCE_COLOR && io.env.FORCE_COLOR !== '0' && io.env.FORCE_COLOR !== 'false') return true;
  return (stream === 'out' ? io.stdoutIsTTY : io.stderrIsTTY) && io.env.TERM !== 'dumb';
}
