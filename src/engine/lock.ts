/**
 * One lock per app, as a value (like Terraform's state lock): a second run fails fast naming the
 * holder. A lock outlives its process when a run pauses (gate, --until, needs a human) so nobody
 * starts another flip mid-flip; `resume` of the same run takes it back.
 *
 * "Alive" is a fact, not a guess: inside one process space the holder's pid and start time are
 * checked; from anywhere else only its lease counts, renewed while it works. Every change happens
 * under a short file mutex and writes the lock whole (aside, then renamed into place). Each take
 * raises the lock's epoch, the fencing token a holder checks before every journal append.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ReleaseError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { formatDuration } from '../util/duration.js';
import { readJsonFile } from '../util/read-json.js';
import type { Identity } from './events.js';
import { crashPoint } from './crash-points.js';
import { withFileMutex } from './file-mutex.js';
import { processState, type ProcessRef } from './owner.js';
import type { Fence } from './state-backend.js';

/** How long a renewed lease proves its holder alive, seen from another machine or PID namespace. */
export const LEASE_MS = 30_000;
export const RENEW_EVERY_MS = 5_000;

export interface LockInfo {
  id: string;
  app: string;
  runId: string;
  operation: string;
  who: string;
  host: string;
  /** The holding process, or null when the run is parked (paused, waiting for a human). */
  pid: number | null;
  /** The holding process in full (machine, PID namespace, start time); absent when parked. */
  owner?: ProcessRef;
  /** Raised on every take: a holder whose epoch is no longer the lock's has lost it. */
  epoch: number;
  created: string;
  renewedAt: string;
  leaseMs: number;
}

/** Where a lock's run stands, as its journal says: never started, going, or over. */
export type RunPhase = 'absent' | 'active' | 'ended';

export type HolderState = { state: 'parked' | 'alive' | 'dead'; why: string };

/** A holder's lock was removed or taken by another process: it must not write again. */
export class LockLostError extends Error {
  constructor(
    readonly fence: Fence,
    readonly now: LockInfo | undefined,
  ) {
    super(
      now
        ? `the lock for ${fence.app} now belongs to ${now.runId === fence.runId ? 'another process of this run' : `run ${now.runId}`} (lock ${now.id}, epoch ${now.epoch}, by ${now.who} on ${now.host})`
        : `the lock for ${fence.app} (lock ${fence.lockId}) was removed (force-unlock)`,
    );
    this.name = 'LockLostError';
  }
}

export class LockStore {
  constructor(
    private readonly dir: string,
    /** How the lock's run stands; locks of runs that never started or already ended are stale. */
    private readonly phaseOf: (runId: string) => RunPhase = () => 'active',
  ) {}

  /**
   * Takes the app's lock for `runId`. When `resuming` is set, a lock held by the same run is taken
   * over if it is parked or its holder is dead. A lock left by a run that never started or has
   * ended is cleared when its holder is gone.
   */
  acquire(req: { app: string; runId: string; operation: string; by: Identity; resuming?: boolean }): LockInfo {
    mkdirSync(this.dir, { recursive: true });
    return this.locked(req.app, () => {
      const holder = this.read(req.app);
      if (holder) {
        const holderNow = holderState(holder);
        const sameRun = holder.runId === req.runId;
        const phase = sameRun ? 'active' : this.phaseOf(holder.runId);
        const stale = holderNow.state !== 'alive' && phase !== 'active';
        const takeOver = req.resuming && sameRun && holderNow.state !== 'alive';
        if (!stale && !takeOver) throw lockedError(holder, holderNow);
      }
      const now = new Date().toISOString();
      const info: LockInfo = {
        id: holder?.runId === req.runId ? holder.id : `lk-${randomBytes(4).toString('hex')}`,
        app: req.app,
        runId: req.runId,
        operation: req.operation,
        who: req.by.who,
        host: req.by.host,
        pid: req.by.pid,
        owner: ownerOf(req.by),
        epoch: (holder?.epoch ?? 0) + 1,
        created: now,
        renewedAt: now,
        leaseMs: LEASE_MS,
      };
      writeFileAtomic(this.pathFor(req.app), JSON.stringify(info, null, 2), () => crashPoint('lock-written-aside'));
      return info;
    });
  }

  /** Extends the lease; false when the lock is no longer this holder's. */
  renew(lock: LockInfo): boolean {
    return this.locked(lock.app, () => {
      const current = this.read(lock.app);
      if (!isSame(current, lock)) return false;
      writeFileAtomic(this.pathFor(lock.app), JSON.stringify({ ...current, renewedAt: new Date().toISOString() }, null, 2));
      return true;
    });
  }

  /** The fence: throws unless the lock is still exactly this holder's (same id and epoch). */
  assertHeld(lock: LockInfo): void {
    const current = this.read(lock.app);
    if (!isSame(current, lock)) throw new LockLostError(fenceOf(lock), current);
  }

  /** The process is leaving but the run is not finished: keep the reservation, drop the process. */
  park(lock: LockInfo): void {
    this.locked(lock.app, () => {
      const current = this.read(lock.app);
      if (!isSame(current, lock)) return;
      const { owner: _owner, ...rest } = current!;
      writeFileAtomic(this.pathFor(lock.app), JSON.stringify({ ...rest, pid: null, renewedAt: new Date().toISOString() }, null, 2));
    });
  }

  release(lock: LockInfo): void {
    this.locked(lock.app, () => {
      if (isSame(this.read(lock.app), lock)) unlinkSync(this.pathFor(lock.app));
    });
  }

  /** Removes a lock left by `runId` whose run is over and whose holder is gone (a crash after the end). */
  clearLeftover(runId: string): LockInfo | undefined {
    const lock = this.list().find((l) => l.runId === runId);
    if (!lock) return undefined;
    return this.locked(lock.app, () => {
      const current = this.read(lock.app);
      if (current?.id !== lock.id || holderState(current).state === 'alive') return undefined;
      unlinkSync(this.pathFor(lock.app));
      return current;
    });
  }

  /**
   * Removes the lock with this id. A live holder (fresh lease, or a running process here) keeps
   * it unless `force`: it would go on writing while another run starts.
   */
  forceUnlock(lockId: string, opts: { force: boolean }): LockInfo | undefined {
    const held = this.list().find((l) => l.id === lockId);
    if (!held) return undefined;
    return this.locked(held.app, () => {
      const current = this.read(held.app);
      if (current?.id !== lockId) return undefined;
      const state = holderState(current);
      if (state.state === 'alive' && !opts.force) {
        throw new ReleaseError('locked', `Lock ${lockId} is held by a live run: ${describeHolder(current)}.`, {
          hint: `It is working now (${state.why}). Wait for it, or look with \`release status ${current.runId}\`. Only if you know that process is gone or hung, add --force: it then can no longer write, and \`release resume ${current.runId}\` takes the run over.`,
        });
      }
      unlinkSync(this.pathFor(held.app));
      return current;
    });
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

  private locked<T>(app: string, fn: () => T): T {
    mkdirSync(this.dir, { recursive: true });
    return withFileMutex(`${this.pathFor(app)}.mutex`, fn);
  }

  private pathFor(app: string): string {
    return join(this.dir, `${app.replace(/[^A-Za-z0-9._-]/g, '_')}.lock.json`);
  }
}

export function holderState(holder: LockInfo, now = Date.now()): HolderState {
  if (holder.pid === null) return { state: 'parked', why: 'parked: no process is running it' };
  const where = `pid ${holder.pid} on ${holder.host}`;
  const checked = processState(holder.owner ?? { host: holder.host, pid: holder.pid });
  if (checked === 'alive') return { state: 'alive', why: `${where} is running` };
  if (checked === 'dead') return { state: 'dead', why: `${where} is gone` };
  const age = now - Date.parse(holder.renewedAt ?? holder.created);
  const lease = holder.leaseMs ?? LEASE_MS;
  return age < lease
    ? { state: 'alive', why: `${where}, lease renewed ${formatDuration(Math.max(0, age))} ago` }
    : { state: 'dead', why: `${where}, lease expired ${formatDuration(age - lease)} ago` };
}

export function describeHolder(holder: LockInfo): string {
  return `run ${holder.runId} (${holder.operation}) by ${holder.who}, since ${holder.created}, ${holderState(holder).why}`;
}

function lockedError(holder: LockInfo, state: HolderState): ReleaseError {
  const resume = `release resume ${holder.runId}`;
  const hint =
    state.state === 'alive'
      ? `Wait for it to finish, or look at it with \`release status ${holder.runId}\`.`
      : `Continue that run with \`${resume}\`, or if you are sure it is abandoned: \`release force-unlock ${holder.id}\`.`;
  return new ReleaseError('locked', `App ${holder.app} is locked by ${describeHolder(holder)} (lock ${holder.id}).`, { hint });
}

export function fenceOf(lock: LockInfo): Fence {
  return { app: lock.app, runId: lock.runId, lockId: lock.id, epoch: lock.epoch };
}

/** Does the stored lock still match what its holder was given (same id, epoch and run)? */
export function fenceHolds(current: LockInfo | undefined, fence: Fence): boolean {
  return current !== undefined && current.id === fence.lockId && current.epoch === fence.epoch && current.runId === fence.runId;
}

function isSame(current: LockInfo | undefined, lock: LockInfo): boolean {
  return current !== undefined && current.id === lock.id && current.epoch === lock.epoch && current.runId === lock.runId;
}

function ownerOf(by: Identity): ProcessRef {
  const { who: _who, ...ref } = by;
  return ref;
}

function parseLock(path: string): LockInfo | undefined {
  try {
    return readJsonFile(path) as LockInfo | undefined;
  } catch {
    // Locks are renamed into place whole, so this is a hand edit or an older release's torn file:
    // it reserves nothing, and the next take overwrites it.
    return undefined;
  }
}
