/**
 * Every event the engine emits, as one union. Durable events are appended to the run's journal
 * (the run state is a pure reduction of them); transient ones only reach the views.
 */
import type { JsonObject } from '../util/json-path.js';
import type { Change, StepPlan } from './action.js';
import type { ProcessRef } from './owner.js';

export type RunStatus =
  | 'running'
  | 'paused'
  | 'succeeded'
  | 'rolling_back'
  | 'rolled_back'
  | 'rollback_failed'
  | 'needs_human'
  | 'interrupted'
  | 'planned'
  /** The journal cannot be trusted past some line: nothing acts on the run until a human repairs it. */
  | 'damaged'
  /** Closed by a human after damage (`release repair --abandon`): the tool never acts on it again. */
  | 'abandoned';

export interface ErrorInfo {
  message: string;
  /** The next action for a human, when the action knows it. */
  hint?: string;
}

export interface ResolvedStep {
  id: string;
  uses: string;
  name?: string;
  with: JsonObject;
  timeoutMs?: number;
  retry: { attempts: number; delayMs: number };
  confirm?: string;
  onFailure: 'rollback' | 'pause';
}

export interface ResolvedPlaybook {
  name: string;
  description?: string;
  file: string;
  steps: ResolvedStep[];
}

/** Who acts, and from which process (see owner.ts for why a pid alone is not enough). */
export interface Identity extends ProcessRef {
  who: string;
}

/** What a failure led to, journaled with the failure itself so a crash cannot separate them. */
export type FailureDecision =
  /** `hint`: the failing call's next step (the store's own advice), for the final words. */
  | { then: 'rollback'; reason: string; steps: string[]; hint?: string }
  | { then: 'stop'; message: string; hint?: string };

export interface GateDecision {
  approved: boolean;
  by: string;
  reason?: string;
  /** Who decided: a prompt, `release signoff`, `--attest`, an automatic decider, or the store itself. */
  source: 'prompt' | 'signoff' | 'attest' | 'auto' | 'store';
}

interface Base {
  runId: string;
  ts: string;
  /** Position in the journal, set when the event is appended. */
  seq?: number;
}

export type DurableEvent = Base &
  (
    | {
        type: 'run.created';
        playbook: ResolvedPlaybook;
        /** Non-secret description of the release (app, versions, providers, key paths). */
        release: JsonObject;
        /** What `resume` needs to rebuild the same context (config file, sandbox, state dir). */
        context: JsonObject;
        dryRun: boolean;
        by: Identity;
      }
    /** `sandbox`: rehearsal faults given again on this resume (they replace the recorded ones). */
    | { type: 'run.resumed'; by: Identity; sandbox?: JsonObject }
    /** `continued`: picks up a step paused at a gate or settled as not done, rather than a retry. */
    | { type: 'step.started'; step: string; attempt: number; plan: StepPlan; continued?: boolean }
    | { type: 'step.attempt-failed'; step: string; attempt: number; error: ErrorInfo; retryInMs: number }
    | { type: 'step.succeeded'; step: string; output?: JsonObject; settledBy: 'run' | 'verify' }
    | { type: 'step.failed'; step: string; error: ErrorInfo; partial: boolean; decision: FailureDecision }
    | { type: 'step.interrupted'; step: string }
    | { type: 'step.paused'; step: string; gate: string }
    | { type: 'step.unsettled'; step: string; check: string }
    | { type: 'step.declined'; step: string }
    /** A fact an action journals for itself mid-step (a rollout stage reached, a gate's evaluation), kept across resumes. */
    | { type: 'step.recorded'; step: string; record: JsonObject }
    | { type: 'gate.opened'; step: string; gate: string; title: string; instructions: string[] }
    | ({ type: 'gate.decided'; gate: string } & GateDecision)
    | { type: 'rollback.started'; reason: string; steps: string[] }
    | { type: 'undo.started'; step: string; attempt: number }
    | { type: 'undo.succeeded'; step: string }
    | { type: 'undo.failed'; step: string; attempt: number; error: ErrorInfo; final: boolean }
    | { type: 'plan.step'; step: string; plan: StepPlan }
    | { type: 'plan.blocked'; step: string; problems: string[] }
    /** `confirm`: a step asks before it runs, nobody could answer, and --yes was not given. */
    | { type: 'run.paused'; reason: 'gate' | 'until' | 'declined' | 'confirm'; step: string; continueWith: string }
    | { type: 'run.finished'; status: RunStatus; message: string; hint?: string }
    /** A line cut short by a crash or a full disk, kept when the next writer cut it off. */
    | { type: 'journal.torn'; line: number; fragment: { type?: string; step?: string }; text: string }
    /** A human's decision about a damaged journal (`release repair`), with what was read back. */
    | { type: 'run.repaired'; by: Identity; decision: 'accept' | 'abandon'; reason: string; damage: { line: number; problem: string; text: string }; setAside: string; world: JsonObject }
  );

/**
 * When an append must be on disk before it returns (fsynced, and counted by the journal's head).
 *
 * - `now`: action code, a human, another process or the end of the session may follow at once,
 *   so a power cut must not lose it: above all each step's intent (`step.started`) before its
 *   effect, a fact an action journals mid-step, a gate's decision the action then acts on.
 * - `with-next`: until the engine's next `now` event, only its own bookkeeping and read-only
 *   planning follow, and that event's fsync carries this one too. A power cut in between can lose
 *   it: a step's intent is then left without its outcome, in doubt, and `verify` settles it on
 *   resume, as after a crash between an effect and its record. A killed process loses nothing
 *   (written lines stay in the page cache).
 */
export const DURABILITY: Record<DurableEvent['type'], 'now' | 'with-next'> = {
  'run.created': 'now',
  'run.resumed': 'now',
  'step.started': 'now',
  'step.attempt-failed': 'with-next',
  'step.succeeded': 'with-next',
  'step.failed': 'now',
  'step.interrupted': 'now',
  'step.paused': 'now',
  'step.unsettled': 'now',
  'step.declined': 'now',
  'step.recorded': 'now',
  // Followed at once by the gate's own deciders (a store API call), a prompt, a notice to people.
  'gate.opened': 'now',
  'gate.decided': 'now',
  'rollback.started': 'now',
  'undo.started': 'now',
  'undo.succeeded': 'with-next',
  'undo.failed': 'now',
  'plan.step': 'with-next',
  'plan.blocked': 'with-next',
  'run.paused': 'now',
  'run.finished': 'now',
  // The torn line was cut off just before: a power cut must not keep the cut but lose this evidence.
  'journal.torn': 'now',
  'run.repaired': 'now',
};

export type TransientEvent = Base &
  (
    | { type: 'step.progress'; step: string; message: string }
    | { type: 'step.waiting'; step: string }
    | { type: 'run.summary'; summary: JsonObject }
  );

export type EngineEvent = DurableEvent | TransientEvent;

export type EventOf<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

/** Plain data for a diff line in plans and summaries. */
export type { Change };
