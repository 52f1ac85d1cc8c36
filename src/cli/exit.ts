/** The one place errors and outcomes become exit codes and final words on stderr. */
import { EXIT_CODES, ReleaseError, type ExitKind } from '../errors.js';
import type { IO } from './io.js';

export function exitCodeOf(kind: ExitKind): number {
  return EXIT_CODES[kind];
}

/**
 * Reports an error that escaped a command: planned ones in plain words, others with a pointer.
 * Its words are masked with the secrets the command learned before anything is encoded: a store's
 * or a server's message may quote a token.
 */
export function reportError(io: IO, err: unknown, json: boolean): number {
  const { kind, ...words } = describe(err, Boolean(io.env.RELEASE_DEBUG));
  const { after, ...said } = io.mask.values(words);
  io.err.write(`error: ${said.message}\n`);
  for (const line of said.details ?? []) io.err.write(`  ${line}\n`);
  if (after) io.err.write(`${after}\n`);
  if (json) io.out.write(JSON.stringify({ type: 'error', runId: null, kind, ...said, ts: new Date().toISOString() }) + '\n');
  io.github?.escaped(exitCodeOf(kind), said.message, said.hint);
  return exitCodeOf(kind);
}

interface ErrorReport {
  kind: ExitKind;
  message: string;
  details?: string[];
  hint?: string;
  /** What stderr says after the message: the hint, the next step or the stack. */
  after?: string;
}

function describe(err: unknown, debug: boolean): ErrorReport {
  if (err instanceof ReleaseError) return { kind: err.kind, message: err.message, details: err.details, hint: err.hint, after: err.hint };
  const problem = ioProblem(err);
  if (problem) return { kind: 'error', message: problem, after: 'Nothing further was done. Fix that, then run the same command again (`release status` shows where a run stands).' };
  const message = err instanceof Error ? err.message : String(err);
  const stack = debug && err instanceof Error ? err.stack : undefined;
  return { kind: 'error', message, after: stack ?? 'This is a bug or an unexpected state; rerun with RELEASE_DEBUG=1 for the stack trace.' };
}

const IO_PROBLEMS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EIO: 'the device reported an input/output error',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

/** A full disk or a read-only mount is not a bug: name the file and the problem. */
function ioProblem(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException;
  const problem = e && typeof e.code === 'string' ? IO_PROBLEMS[e.code] : undefined;
  if (!problem) return undefined;
  return `could not ${e.syscall ?? 'use'} ${e.path ?? 'a file'}: ${problem}`;
}
