/** The one place errors and outcomes become exit codes and final words on stderr. */
import { EXIT_CODES, ReleaseError, type ExitKind } from '../errors.js';
import type { IO } from './io.js';

export function exitCodeOf(kind: ExitKind): number {
  return EXIT_CODES[kind];
}

/** Reports an error that escaped a command: planned ones in plain words, others with a pointer. */
export function reportError(io: IO, err: unknown, json: boolean): number {
  if (err instanceof ReleaseError) {
    io.err.write(`error: ${err.message}\n`);
    for (const line of err.details) io.err.write(`  ${line}\n`);
    if (err.hint) io.err.write(`${err.hint}\n`);
    if (json) io.out.write(JSON.stringify({ type: 'error', runId: null, kind: err.kind, message: err.message, details: err.details, hint: err.hint, ts: new Date().toISOString() }) + '\n');
    return exitCodeOf(err.kind);
  }
  const io_ = ioProblem(err);
  if (io_) {
    io.err.write(`error: ${io_}\n`);
    io.err.write('Nothing further was done. Fix that, then run the same command again (`release status` shows where a run stands).\n');
    if (json) io.out.write(JSON.stringify({ type: 'error', runId: null, kind: 'error', message: io_, ts: new Date().toISOString() }) + '\n');
    return EXIT_CODES.error;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.err.write(`error: ${message}\n`);
  if (io.env.RELEASE_DEBUG && err instanceof Error && err.stack) io.err.write(`${err.stack}\n`);
  else io.err.write('This is a bug or an unexpected state; rerun with RELEASE_DEBUG=1 for the stack trace.\n');
  if (json) io.out.write(JSON.stringify({ type: 'error', runId: null, kind: 'error', message, ts: new Date().toISOString() }) + '\n');
  return EXIT_CODES.error;
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
