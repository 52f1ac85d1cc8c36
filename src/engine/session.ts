/**
 * The one owner of a run's life in a process: it takes the lock, records `run.created` or
 * `run.resumed` and attestations in an order a crash at any point leaves recoverable, drives the
 * executor while renewing the lock's lease, and parks or releases the lock in one place.
 *
 * Crash points, and what they leave:
 * - after the lock, before `run.created`: a lock whose run never started; the next flip clears it
 *   once its holder is gone, and `resume` of that run says it never started.
 * - after `run.created`: a run that `resume` continues (its world is seeded before it).
 * - after `run.finished`, before the release: a lock of an ended run, cleared the same way.
 * Anything that fails after the lock is taken releases it (nothing started) or parks it.
 */
import { ReleaseError } from '../errors.js';
import { crashPoint } from './crash-points.js';
import type { DurableEvent, EngineEvent, Identity } from './events.js';
import { Executor, type EngineDeps, type RunOutcome } from './executor.js';
import { JournalDamagedError, JournalWriteError } from './journal.js';
import { fenceOf, LockLostError, RENEW_EVERY_MS, type LockInfo } from './lock.js';
import { Recorder, type DurableBody } from './recorder.js';
import type { RunHandle, RunStore } from './runs.js';
import { isTerminal, RunView, type RunState } from './state.js';
import type { JsonObject } from '../util/json-path.js';

type Commands = EngineDeps<unknown>['commands'];
type CreatedBody = Omit<Extract<DurableBody, { type: 'run.created' }>, 'type'>;

/** What the composition root wires in: actions, ports, views, prompts, options. */
export type Wiring<E> = Omit<EngineDeps<E>, 'run' | 'identity' | 'commands'>;

export interface SessionBase {
  store: RunStore;
  app: string;
  by: Identity;
  operation: string;
  commands: Commands;
  /** Sees the events the session itself records (run.created, run.resumed, attestations). */
  emit: (event: EngineEvent) => void;
}

export class RunSession {
  private executor: Executor<unknown> | undefined;
  private lost = false;
  private renewing = false;

  private constructor(
    private readonly base: SessionBase,
    readonly run: RunHandle,
    private readonly lock: LockInfo | undefined,
  ) {
    if (lock) run.journal.fence = fenceOf(lock);
  }

  /** The run as read so far in this process (the store's), advanced by what is new: shared with the executor. */
  private get view(): RunView {
    return this.base.store.viewOf(this.run.id);
  }

  /**
   * A new run. `prepare` lays down what the run needs before its first event (the sandbox world),
   * so a journal that starts always has it. A dry run takes no lock.
   */
  static async start(base: SessionBase, req: { runId: string; created: CreatedBody; prepare?: (run: RunHandle) => void; attest: string[] }): Promise<RunSession> {
    const lock = req.created.dryRun ? undefined : await base.store.locks.acquire({ app: base.app, runId: req.runId, operation: base.operation, by: base.by });
    let session: RunSession | undefined;
    try {
      crashPoint('after-lock');
      const run = await base.store.create(req.runId);
      session = new RunSession(base, run, lock);
      req.prepare?.(run);
      await session.record({ type: 'run.created', ...req.created });
      crashPoint('after-created');
      await session.attest(req.attest);
      return session;
    } catch (err) {
      try {
        if (session && !(await session.started())) await base.store.discard(req.runId);
      } finally {
        if (lock) await (session ? session.end() : base.store.locks.release(lock).catch(() => undefined));
      }
      throw explain(err, req.runId, base.commands);
    }
  }

  /**
   * An existing run, to resume or roll back. The caller has checked it and built its ports; the
   * run is read again under the lock, since another process may have moved it meanwhile.
   */
  static async reopen(base: SessionBase, req: { runId: string; sandbox?: JsonObject; attest: string[]; undoEnded?: boolean }): Promise<RunSession> {
    const lock = await base.store.locks.acquire({ app: base.app, runId: req.runId, operation: base.operation, by: base.by, resuming: true });
    let session: RunSession;
    try {
      session = new RunSession(base, await base.store.open(req.runId), lock);
    } catch (err) {
      await base.store.locks.park(lock).catch(() => undefined);
      throw err;
    }
    try {
      const state = await session.state();
      if (state.damage) throw new JournalDamagedError(session.run.journal.where, state.damage);
      const undoing = req.undoEnded === true && state.status === 'succeeded';
      if (isTerminal(state.status) && !undoing) throw new ReleaseError('usage', `Run ${req.runId} already ended: ${state.finished?.message ?? state.status}`);
      await session.record({ type: 'run.resumed', by: base.by, ...(req.sandbox ? { sandbox: req.sandbox } : {}) });
      await session.attest(req.attest);
      return session;
    } catch (err) {
      await session.end();
      throw explain(err, req.runId, base.commands);
    }
  }

  /** Drives the run to its next stopping point, then parks or releases the lock. */
  async drive<E>(wire: () => Wiring<E>, mode: { rollback?: string } = {}): Promise<RunOutcome> {
    const renew = this.lock ? setInterval(() => this.renew(), RENEW_EVERY_MS) : undefined;
    renew?.unref();
    try {
      const executor = new Executor<E>({ ...wire(), run: this.run, identity: this.base.by, commands: this.base.commands, view: this.view });
      this.executor = executor as Executor<unknown>;
      return mode.rollback !== undefined ? await executor.rollback(mode.rollback) : await executor.execute();
    } catch (err) {
      throw explain(err, this.run.id, this.base.commands);
    } finally {
      if (renew) clearInterval(renew);
      this.executor = undefined;
      await this.end();
    }
  }

  /** Ctrl-C, SIGTERM, SIGHUP: false when the run refuses (a rollback in progress keeps going). */
  interrupt(): boolean {
    return this.executor ? this.executor.requestInterrupt() : false;
  }

  /** The run now: only what was appended since the last look is read. */
  async state(): Promise<RunState> {
    return this.base.store.stateOfRun(this.run.id);
  }

  /** Has `run.created` reached the journal? */
  async started(): Promise<boolean> {
    if (this.view.position > 0) return true;
    try {
      return (await this.events())[0]?.type === 'run.created';
    } catch {
      return true; // unreadable: keep everything for a human to look at
    }
  }

  async events(): Promise<DurableEvent[]> {
    return (await this.run.journal.read()).events;
  }

  /** The lock's one exit: released when the run is over or never started, parked otherwise. */
  async end(): Promise<void> {
    const lock = this.lock;
    if (!lock || this.lost) return;
    try {
      // Over: ended, or never started. Damage (even at line 1) parks: the run may be mid-flip,
      // and only a human may end it.
      const state = (await this.started()) ? await this.state() : undefined;
      const over = state ? !state.damage && isTerminal(state.status) : !(await this.run.journal.read()).damage;
      if (over) crashPoint('after-finished');
      if (over) await this.base.store.locks.release(lock);
      else await this.base.store.locks.park(lock);
    } catch {
      // A full disk can refuse the lock's rewrite too: the lock keeps this process's identity,
      // which is dead once it exits, so `resume` takes it over.
    }
  }

  private renew(): void {
    if (!this.lock || this.renewing) return;
    this.renewing = true;
    this.base.store.locks
      .renew(this.lock)
      .then((held) => {
        if (!held) this.lost = true;
      })
      // A failed renewal only shortens the lease; the fence still guards every append.
      .catch(() => undefined)
      .finally(() => {
        this.renewing = false;
      });
  }

  private async record(body: DurableBody): Promise<void> {
    try {
      await new Recorder(this.run, this.base.emit).record(body);
    } catch (err) {
      if (err instanceof LockLostError) this.lost = true;
      throw err;
    }
  }

  private async attest(gates: string[]): Promise<void> {
    if (!gates.length) return;
    const state = await this.state();
    for (const gate of gates) {
      if (state.gates[gate]?.decision) continue;
      await this.record({ type: 'gate.decided', gate, approved: true, by: this.base.by.who, source: 'attest', reason: 'attested with --attest' });
    }
  }
}

/** What to fix, by the failed write's code; anything else is the device or its permissions. */
const WRITE_FIXES: Record<string, string> = {
  ENOSPC: 'free space on the device that holds it',
  EUNREACHABLE: 'bring the state database back, or check the network and RELEASE_STATE_URL',
};

/** The run's own record failing is never "a bug": say what failed, where, and how to go on. */
export function explain(err: unknown, runId: string, commands: Commands): unknown {
  if (err instanceof JournalWriteError) {
    return new ReleaseError('needs-human', `Could not write the journal of run ${runId}: ${err.message}. The run stopped before its next change.`, {
      hint: `Fix that (${WRITE_FIXES[err.code] ?? 'check the device and its permissions'}), then \`${commands.resume(runId)}\` continues where it stopped.`,
      cause: err,
    });
  }
  if (err instanceof JournalDamagedError) {
    return new ReleaseError('needs-human', `Run ${runId} has a damaged journal at line ${err.damage.line}: ${err.damage.problem}. Nothing was done.`, {
      details: err.damage.text ? [`line ${err.damage.line} held: ${err.damage.text}`] : [],
      hint: `\`release status ${runId}\` shows what can still be read; \`${commands.repair(runId)}\` compares it with the world and records your decision.`,
    });
  }
  if (err instanceof LockLostError) {
    return new ReleaseError('locked', `This process lost the lock of run ${runId}: ${err.message}. It stopped without writing anything more.`, {
      hint: `See where the run stands with \`release status ${runId}\`.`,
    });
  }
  return err;
}
