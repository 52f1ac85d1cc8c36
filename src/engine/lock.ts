/**
 * One lock per app, as a value (like Terraform's state lock): a second run fails fast naming the
 * holder. A lock outlives its process when a run pauses (gate, --until, needs a human) so nobody
 * starts another flip mid-flip; `resume` of the same run takes it back.
 *
 * "Alive" is a fact, not a guess: inside one process space the holder's pid and start time are
 * checked; from anywhere else only its lease counts, renewed while it works. The rules are here;
 * the record lives in the state backend, which changes it under mutual exclusion (a file mutex,
 * a database transaction). Each take raises the lock's epoch, the fencing token checked with
 * every journal append.
 */
import { randomBytes } from 'node:crypto';
import { ReleaseError } from '../errors.js';
import { formatDuration } from '../util/duration.js';
import type { Identity } from './events.js';
import { processState, type ProcessRef } from './owner.js';
import type { Fence, LockRecords } from './state-backend.js';

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
    private readonly records: LockRecords,
    /** How the lock's run stands; locks of runs that never started or already ended are stale. */
    private readonly phaseOf: (runId: string) => Promise<RunPhase> = async () => 'active',
  ) {}

  /**
   * Takes the app's lock for `runId`. When `resuming` is set, a lock held by the same run is taken
   * over if it is parked or its holder is dead. A lock left by a run that never started or has
   * ended is cleared when its holder is gone.
   */
  async acquire(req: { app: string; runId: string; operation: string; by: Identity; resuming?: boolean }): Promise<LockInfo> {
    // The holder's run is read outside the change (it may be a database query); inside, a lock
    // that changed hands meanwhile counts as active.
    const peek = await this.records.read(req.app);
    const peekPhase = peek && peek.runId !== req.runId ? await this.phaseOf(peek.runId) : 'active';
    return this.records.change(req.app, (holder) => {
      if (holder) {
        const holderNow = holderState(holder);
        const sameRun = holder.runId === req.runId;
        const phase = sameRun || holder.runId !== peek?.runId ? 'active' : peekPhase;
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
      return { next: info, result: info };
    });
  }

  /** Extends the lease; false when the lock is no longer this holder's. */
  renew(lock: LockInfo): Promise<boolean> {
    return this.records.change(lock.app, (current) =>
      isSame(current, lock) ? { next: { ...current!, renewedAt: new Date().toISOString() }, result: true } : { result: false },
    );
  }

  /** The process is leaving but the run is not finished: keep the reservation, drop the process. */
  park(lock: LockInfo): Promise<void> {
    return this.records.change(lock.app, (current) => {
      if (!isSame(current, lock)) return { result: undefined };
      const { owner: _owner, ...rest } = current!;
      return { next: { ...rest, pid: null, renewedAt: new Date().toISOString() }, result: undefined };
    });
  }

  release(lock: LockInfo): Promise<void> {
    return this.records.change(lock.app, (current) => (isSame(current, lock) ? { next: null, result: undefined } : { result: undefined }));
  }

  /** Removes a lock left by `runId` whose run is over and whose holder is gone (a crash after the end). */
  async clearLeftover(runId: string): Promise<LockInfo | undefined> {
    const lock = (await this.list()).find((l) => l.runId === runId);
    if (!lock) return undefined;
    return this.records.change(lock.app, (current) =>
      current?.id !== lock.id || holderState(current).state === 'alive' ? { result: undefined } : { next: null, result: current },
    );
  }

  /**
   * Removes the lock with this id. A live holder (fresh lease, or a running process here) keeps
   * it unless `force`: it would go on writing while another run starts.
   */
  async forceUnlock(lockId: string, opts: { force: boolean }): Promise<LockInfo | undefined> {
    const held = (await this.list()).find((l) => l.id === lockId);
    if (!held) return undefined;
    return this.records.change(held.app, (current) => {
      if (current?.id !== lockId) return { result: undefined };
      const state = holderState(current);
      if (state.state === 'alive' && !opts.force) {
        throw new ReleaseError('locked', `Lock ${lockId} is held by a live run: ${describeHolder(current)}.`, {
          hint: `It is working now (${state.why}). Wait for it, or look with \`release status ${current.runId}\`. Only if you know that process is gone or hung, add --force: it then can no longer write, and \`release resume ${current.runId}\` takes the run over.`,
        });
      }
      return { next: null, result: current };
    });
  }

  list(): Promise<LockInfo[]> {
    return this.records.list();
  }

  read(app: string): Promise<LockInfo | undefined> {
    return this.records.read(app);
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
  return fenceHolds(current, fenceOf(lock));
}

function ownerOf(by: Identity): ProcessRef {
  const { who: _who, ...ref } = by;
  return ref;
}
