/**
 * The one contract between the engine and a step action. The engine knows nothing about stores,
 * configs or HTTP: it calls `plan` (read-only), journals the plan as the step's intent, then `run`;
 * on resume it asks `verify` whether an in-doubt effect happened; on rollback it calls `undo`.
 * `E` is what the composition root hands each call (ports and release facts).
 */
import type { JsonObject, JsonValue } from '../util/json-path.js';
import type { GateDecision } from './events.js';

/** One line of a before/after diff. The engine only stores and shows these. */
export type Change =
  | { target: 'config'; path: string; before: JsonValue | null; after: JsonValue | null }
  | { target: 'backend'; before: string | null; after: string }
  | { target: 'store'; platform: string; before: string; after: string }
  | { target: 'rollout'; platform: string; before: string; after: string }
  | { target: 'recovery'; platform: string; before: string; after: string };

export interface StepPlan {
  summary: string;
  changes: Change[];
  /** Read-only observations worth showing ("iOS: PENDING_DEVELOPER_RELEASE"). */
  notes?: string[];
  /** What would stop this step if it ran now. A dry run lists them; a real run fails on them. */
  blockers?: string[];
  /**
   * Blockers that make the input itself invalid (the release would lower a live version): the
   * run is refused with exit 2, as for a bad flag, instead of counting as a failed flip.
   */
  invalid?: string[];
  /** Action-private facts `run`, `verify` and `undo` need (e.g. the config version read). */
  data?: JsonObject;
}

export type Verdict =
  | { status: 'done' }
  /** Provably not (fully) applied, and `run` is safe to call again. */
  | { status: 'not-done' }
  /** Cannot tell: the message says what a human must check. */
  | { status: 'unknown'; check: string };

export interface ActionMeta {
  description: string;
  /** Changes the world. Non-mutating steps are shown in dry runs but need no undo. */
  mutates: boolean;
  /** Has an undo that restores the world before the step. */
  compensable: boolean;
  /** Irreversible: once it succeeded (even partly), failures are handled forward, never undone. */
  pivot: boolean;
  /** What the step means for the transition window, for summaries and reports. */
  effect?: 'wall-up' | 'wall-down' | 'deploy' | 'publish';
}

export interface GateRequest {
  gate: string;
  title: string;
  instructions: string[];
  /** Asks a non-human decider first (sandbox testers, a store that already shows the change). */
  auto?: (signal: AbortSignal) => Promise<GateDecision | undefined>;
  /** While the gate waits, ask `auto` this often, then half as long again each time (up to 5x); default every second. */
  autoPollMs?: number;
  /**
   * A hold: the clock decides (through `auto`) at this time (ms since the epoch). Nobody is
   * prompted; on a terminal the run waits for it, elsewhere it waits `--wait` and then pauses
   * with the time to resume. `release signoff` can still end it early or reject it.
   */
  until?: number;
}

/** Facts about the run that actions may not derive themselves. */
export interface RunFacts {
  /** A step with effect `deploy` has run (or may have) and was not undone. */
  backendLive: boolean;
  /** The plans of the steps done so far, in order (projected ones in a dry run). */
  earlier: { step: string; uses: string; plan: StepPlan }[];
}

export interface PlanContext<E> {
  runId: string;
  stepId: string;
  env: E;
  facts: RunFacts;
  signal: AbortSignal;
}

export interface StepContext<E> extends PlanContext<E> {
  attempt: number;
  progress(message: string): void;
  /** Waits (polls, backoff) honouring Ctrl-C and timeouts; rehearsals compress the delay. */
  sleep(ms: number): Promise<void>;
  /** Resolves with the decision, or pauses the run (exit 10) when nobody can decide now. */
  gate(request: GateRequest): Promise<GateDecision>;
  /** Journals a fact about this step (durable, before the next side effect). */
  record(entry: JsonObject): Promise<void>;
  /** Every fact this step journaled so far (each with `at`, its journal time), over all attempts and resumes. */
  records(): JsonObject[];
}

export interface Action<I = JsonObject, E = unknown> {
  meta: ActionMeta;
  plan(input: I, ctx: PlanContext<E>): Promise<StepPlan>;
  run(input: I, plan: StepPlan, ctx: StepContext<E>): Promise<JsonObject | void>;
  /** Required when `meta.mutates`: did the in-doubt effect happen? Read-only steps just run again. */
  verify?(input: I, plan: StepPlan, ctx: StepContext<E>): Promise<Verdict>;
  /** Must be idempotent: it checks the world before acting, as it may run again after a crash. */
  undo?(input: I, plan: StepPlan, ctx: StepContext<E>): Promise<void>;
}

/**
 * How an action reports failure. `retryable: false` skips the step's retries (a store rejection,
 * a tester's "no"); `partial` says an irreversible effect already happened (one store published).
 */
export class ActionError extends Error {
  readonly retryable: boolean;
  readonly partial: boolean;
  readonly hint?: string;

  constructor(message: string, opts: { retryable?: boolean; partial?: boolean; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ActionError';
    this.retryable = opts.retryable ?? true;
    this.partial = opts.partial ?? false;
    this.hint = opts.hint;
  }
}

/** Thrown through an action by `ctx.gate` when the run must checkpoint and wait for a human. */
export class PausedAtGate extends Error {
  constructor(
    readonly gate: string,
    readonly title: string,
    /** A hold's end (ms since the epoch): resume then, no sign-off needed. */
    readonly until?: number,
  ) {
    super(`paused at gate ${gate}`);
    this.name = 'PausedAtGate';
  }
}
