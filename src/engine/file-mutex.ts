/**
 * A short-lived mutual exclusion between processes over one file, for the few milliseconds of a
 * read-check-write (a journal append, a lock change). Synchronous, because journal appends are.
 * The mutex file is created whole (O_EXCL) and names its holder with a random token: a holder
 * killed inside it is recognised (dead in this process space, or, where it cannot be checked,
 * older than STALE_MS), a live one is never cleared, and a release removes only its own file.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { currentProcess, processState, type ProcessRef } from './owner.js';
import { unlinkQuietly } from '../util/unlink-quietly.js';

const STALE_MS = 10_000;
const WAIT_MS = 15_000;
const nap = new Int32Array(new SharedArrayBuffer(4));

export class MutexTimeout extends Error {
  constructor(readonly path: string) {
    super(`${path} stayed held for ${WAIT_MS / 1000}s`);
    this.name = 'MutexTimeout';
  }
}

interface Holder extends ProcessRef {
  token: string;
}

/** Tokens only need to differ between takes: one random part per process, then a count. */
let processToken: string | undefined;
let takes = 0;

export function withFileMutex<T>(path: string, fn: () => T): T {
  processToken ??= randomBytes(8).toString('hex');
  const token = `${processToken}-${++takes}`;
  const deadline = Date.now() + WAIT_MS;
  for (let delay = 1; !tryTake(path, token); delay = Math.min(delay * 2, 50)) {
    if (clearIfStale(path)) continue;
    if (Date.now() > deadline) throw new MutexTimeout(path);
    Atomics.wait(nap, 0, 0, delay);
  }
  try {
    return fn();
  } finally {
    if (holderOf(path)?.token === token) unlinkQuietly(path);
  }
}

function tryTake(path: string, token: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify({ ...currentProcess(), token } satisfies Holder));
  } catch {
    // An empty mutex file still excludes; staleness then goes by its age.
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Clears a mutex whose holder is gone. The file is renamed aside first and checked again, so two
 * waiters can never both clear it, and never clear a fresh holder's file by mistake.
 */
function clearIfStale(path: string): boolean {
  let age: number;
  try {
    age = Date.now() - statSync(path).mtimeMs;
  } catch {
    return true; // released meanwhile: try again at once
  }
  const holder = holderOf(path);
  const state = holder ? processState(holder) : 'unknown';
  if (state === 'alive') return false;
  if (state !== 'dead' && age < STALE_MS) return false;
  const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return true; // someone else cleared or released it
  }
  const moved = holderOf(aside);
  if (moved?.token !== holder?.token) {
    // A new holder took the mutex between our look and the rename: give its file back (link
    // creates the name only if nobody has it) and wait for it.
    try {
      linkSync(aside, path);
    } catch {
      // someone holds the name again: exclusion is theirs
    }
    unlinkQuietly(aside);
    return false;
  }
  unlinkQuietly(aside);
  return true;
}

function holderOf(path: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}
