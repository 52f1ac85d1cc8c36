/**
 * The state backend port: where runs, their journals and the apps' locks live. The engine owns
 * every rule (sealing and verifying lines, who may take a lock, fencing); a backend only stores,
 * and guarantees the few atomic operations those rules need:
 *
 * - a journal line is appended at an expected sequence number or not at all (compare-and-set:
 *   two writers can never both append event N), and only while the writer's fence still holds;
 * - a lock record changes under mutual exclusion with every other change of the same app's lock;
 * - a run is created once (a second create of the same id fails).
 *
 * Adapters: `local` (files under the state directory, the default) and `postgres` (rows, so a run
 * can be handed between machines). Terraform's backends are the model: a dumb, atomic store
 * under a smart engine, checked by one shared conformance suite.
 */
import type { DurableEvent } from './events.js';
import type { JournalRead } from './journal.js';
import type { LockInfo } from './lock.js';

/** What a journal append must prove: the writer still holds this lock (same id and epoch). */
export interface Fence {
  app: string;
  runId: string;
  lockId: string;
  epoch: number;
}

/** One run's journal in a backend. Sealing and verification are the engine's (journal-line.ts). */
export interface JournalPort {
  /** Where it lives, for messages: a file path, or `postgres <db> run <id>`. */
  readonly where: string;
  /** Checked atomically with every append: when set and no longer held, the append fails with LockLostError. */
  fence: Fence | undefined;
  /**
   * Seals the event as the next line and stores it whole, or throws having stored nothing
   * (JournalWriteError, JournalDamagedError, LockLostError). Another writer's line that lands
   * first (a `signoff` beside the run) is read, verified and sealed onto, never overwritten.
   * Returns the event as journaled (secrets masked). Durable as `DURABILITY` (events.ts) asks
   * at least: `local` fsyncs the events marked `now` (with every line before them), `postgres`
   * commits every append.
   */
  append(event: DurableEvent): Promise<DurableEvent>;
  /** Every event, verified; damage and a torn tail as found. */
  read(): Promise<JournalRead>;
  /**
   * The events after the first `seen` ones, verified (the backend remembers what it already
   * checked, so this costs what is new, not the whole history); damage and torn tail as `read`.
   */
  readSince(seen: number): Promise<JournalRead>;
  /** For a human's repair: keeps the damaged journal aside and leaves its verified prefix. */
  setAside(label: string): Promise<string>;
}

/** The lock record of one app, changed by `LockStore`'s rules. */
export type LockChange<T> = (current: LockInfo | undefined) => { next?: LockInfo | null; result: T };

export interface LockRecords {
  /**
   * Runs `decide` on the app's current lock under mutual exclusion with every other change of
   * that lock, then stores its verdict: `next` a lock to write whole, `null` to remove it,
   * absent to leave it. `decide` is synchronous and pure: it may run again on a retry.
   */
  change<T>(app: string, decide: LockChange<T>): Promise<T>;
  read(app: string): Promise<LockInfo | undefined>;
  list(): Promise<LockInfo[]>;
}

export interface StateBackend {
  readonly kind: 'local' | 'postgres';
  /** For messages and `release status`: a directory, or the database (never with a password). */
  readonly where: string;
  readonly locks: LockRecords;
  /** Every run id, sorted (ids sort by start second). */
  runIds(): Promise<string[]>;
  /** Reserves a new run id; throws if it exists. Its journal starts empty. */
  createRun(runId: string): Promise<void>;
  /** Was this run created (and not discarded)? */
  hasRun(runId: string): Promise<boolean>;
  journal(runId: string, redact?: (text: string) => string): JournalPort;
  /**
   * A local directory for what a run keeps beside its journal (the sandbox world, command logs).
   * Local: the run's own directory. Postgres: a working copy, filled from the database, whose
   * kept files (`keptFiles`) are stored back with every journal append, in the same transaction.
   */
  runDir(runId: string): Promise<string>;
  /** Removes a run that never started (no `run.created`). */
  discardRun(runId: string): Promise<void>;
  close(): Promise<void>;
}

/** Files of a run's directory that are part of its state (stored with the run in any backend). */
export const KEPT_FILES = ['sandbox.json'] as const;
