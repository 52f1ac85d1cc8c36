/**
 * A short-lived mutual exclusion between processes over one file, for the few milliseconds of a
 * read-check-write (a journal append, a lock change). Synchronous, because journal appends are.
 * The mutex file is created whole (O_EXCL) and names its holder, so a holder killed inside it is
 * recognised: dead in this process space, or older than STALE_MS anywhere.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { currentProcess, processState, type ProcessRef } from './owner.js';

const STALE_MS = 10_000;
const WAIT_MS = 15_000;
const nap = new Int32Array(new SharedArrayBuffer(4));

export class MutexTimeout extends Error {
  constructor(readonly path: string) {
    super(`${path} stayed held for ${WAIT_MS / 1000}s`);
    this.name = 'MutexTimeout';
  }
}

export function withFileMutex<T>(path: string, fn: () => T): T {
  const deadline = Date.now() + WAIT_MS;
  for (let delay = 1; !tryTake(path); delay = Math.min(delay * 2, 50)) {
    if (clearIfStale(path)) continue;
    if (Date.now() > deadline) throw new MutexTimeout(path);
    Atomics.wait(nap, 0, 0, delay);
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(path);
    } catch {
      // cleared as stale by someone else: nothing to release
    }
  }
}

function tryTake(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(currentProcess()));
  } catch {
    // An empty mutex file still excludes; staleness then goes by its age.
  } finally {
    closeSync(fd);
  }
  return true;
}

function clearIfStale(path: string): boolean {
  try {
    const age = Date.now() - statSync(path).mtimeMs;
    let holder: ProcessRef | undefined;
    try {
      holder = JSON.parse(readFileSync(path, 'utf8')) as ProcessRef;
    } catch {
      holder = undefined;
    }
    const dead = holder !== undefined && processState(holder) === 'dead';
    if (!dead && age < STALE_MS) return false;
    unlinkSync(path);
    return true;
  } catch {
    return false; // released meanwhile: the next try takes it
  }
}
