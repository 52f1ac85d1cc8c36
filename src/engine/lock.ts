/**
 * One lock per app, as a value (like Terraform's state lock): a second run fails fast naming the
 * holder. A lock outlives its process when a run pauses (gate, --until, needs a human) so nobody
 * starts another flip mid-flip; `resume` of the same run takes it back.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmdirSync, statSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { ReleaseError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { Identity } from './events.js';

export interface LockInfo {
  id: string;
  app: string;
  runId: string;
  operation: string;
  who: string;
  host: string;
  /** The holding process, or null when the run is parked (paused, waiting for a human). */
  pid: number | null;
  created: string;
}

export class LockStore {
  constructor(private readonly dir: string) {}

  /**
   * Takes the app's lock for `runId`. When `resuming` is set, a lock held by the same run is taken
   * over if it is parked, or if its process is dead on this host.
   */
  acquire(req: { app: string; runId: string; operation: string; by: Identity; resuming?: boolean }): LockInfo {
    mkdirSync(this.dir, { recursive: true });
    const path = this.pathFor(req.app);
    const info: LockInfo = {
      id: `lk-${randomBytes(4).toString('hex')}`,
      app: req.app,
      runId: req.runId,
      operation: req.operation,
      who: req.by.who,
      host: req.by.host,
      pid: req.by.pid,
      created: new Date().toISOString(),
    };
    for (let tries = 0; tries < 5; tries++) {
      if (createExclusive(path, JSON.stringify(info, null, 2))) return info;
      const holder = this.read(req.app);
      if (!holder) continue; // released (or still being written) between our attempt and our read
      if (req.resuming && holder.runId === req.runId && canTakeOver(holder, req.by)) {
        return this.takeOver(path, holder, { ...info, id: holder.id }, req.by);
      }
      throw lockedError(holder, req.by);
    }
    throw new ReleaseError('locked', `Could not take the lock for ${req.app}: ${path} keeps changing.`);
  }

  /** The process is leaving but the run is not finished: keep the reservation, drop the pid. */
  park(lock: LockInfo): void {
    const current = this.read(lock.app);
    if (current?.id !== lock.id) return;
    writeFileAtomic(this.pathFor(lock.app), JSON.stringify({ ...current, pid: null }, null, 2));
  }

  release(lock: LockInfo): void {
    const current = this.read(lock.app);
    if (current?.id === lock.id) unlinkSync(this.pathFor(lock.app));
  }

  /** Removes the lock with this id, whoever holds it. Returns what was removed. */
  forceUnlock(lockId: string): LockInfo | undefined {
    const held = this.list().find((l) => l.id === lockId);
    if (held) unlinkSync(this.pathFor(held.app));
    return held;
  }

  list(): LockInfo[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .filter((n) => n.endsWith('.lock.json'))
      .map((n) => parseLock(join(this.dir, n)))
      .filter((l): l is LockInfo => l !== undefined);
  }

  read(app: string): LockInfo | undefined {
    return parseLock(this.pathFor(app));
  }

  /** A mkdir mutex so two resumes of the same run cannot both take over. */
  private takeOver(path: string, holder: LockInfo, next: LockInfo, by: Identity): LockInfo {
    const mutex = `${path}.takeover`;
    clearStaleMutex(mutex);
    try {
      mkdirSync(mutex);
    } catch {
      throw lockedError(holder, by);
    }
    try {
      const again = parseLock(path);
      if (again && (again.id !== holder.id || again.pid !== holder.pid)) throw lockedError(again, by);
      writeFileAtomic(path, JSON.stringify(next, null, 2));
      return next;
    } finally {
      rmdirSync(mutex);
    }
  }

  private pathFor(app: string): string {
    return join(this.dir, `${app.replace(/[^A-Za-z0-9._-]/g, '_')}.lock.json`);
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function describeHolder(holder: LockInfo): string {
  const process_ =
    holder.pid === null ? 'parked: no process is running it' : `pid ${holder.pid} on ${holder.host}`;
  return `run ${holder.runId} (${holder.operation}) by ${holder.who}, since ${holder.created}, ${process_}`;
}

function canTakeOver(holder: LockInfo, by: Identity): boolean {
  if (holder.pid === null) return true;
  return holder.host === by.host && !isProcessAlive(holder.pid);
}

function lockedError(holder: LockInfo, by: Identity): ReleaseError {
  const resume = `release resume ${holder.runId}`;
  let hint: string;
  if (holder.pid === null || (holder.host === by.host && !isProcessAlive(holder.pid))) {
    hint = `Continue that run with \`${resume}\`, or if you are sure it is abandoned: \`release force-unlock ${holder.id}\`.`;
  } else if (holder.host !== by.host) {
    hint = `It is held from ${holder.host}. If that machine is gone, clear the lock with \`release force-unlock ${holder.id}\`, then \`${resume}\` from here.`;
  } else {
    hint = `Wait for it to finish, or look at it with \`release status ${holder.runId}\`.`;
  }
  return new ReleaseError('locked', `App ${holder.app} is locked by ${describeHolder(holder)} (lock ${holder.id}).`, { hint });
}

function createExclusive(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

function parseLock(path: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

function clearStaleMutex(mutex: string): void {
  try {
    if (Date.now() - statSync(mutex).mtimeMs > 30_000) rmdirSync(mutex);
  } catch {
    // absent: nothing to clear
  }
}
