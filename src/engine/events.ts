/**
 * Every event the engine emits, as one union. Durable events are appended to the run's journal
 * (the run state is a pure reduction of them); transient ones only reach the views.
 */
import type { JsonObject } from '../util/json-path.js';
import type { Change, StepPlan } from './action.js';

export type RunStatus =
  | 'running'
  | 'paused'
  | 'succeeded'
  | 'rolling_back'
  | 'rolled_back'
  | 'rollback_failed'
  | 'needs_human'
  | 'interrupted'
  | 'planned';

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

export interface Identity {
  who: string;
  host: string;
  pid: number;
}

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
    | { type: 'run.resumed'; by: Identity }
    /** `continued`: picks up a step paused at a gate or settled as not done, rather than a retry. */
    | { type: 'step.started'; step: string; attempt: number; plan: StepPlan; continued?: boolean }
    | { type: 'step.attempt-failed'; step: string; attempt: number; error: ErrorInfo; retryInMs: number }
    | { type: 'step.succeeded'; step: string; output?: JsonObject; settledBy: 'run' | 'verify' }
    | { type: 'step.failed'; step: string; error: ErrorInfo; partial: boolean }
    | { type: 'step.interrupted'; step: string }
    | { type: 'step.paused'; step: string; gate: string }
    | { type: 'step.unsettled'; step: string; check: string }
    | { type: 'step.declined'; step: string }
    | { type: 'gate.opened'; step: string; gate: string; title: string; instructions: string[] }
    | ({ type: 'gate.decided'; gate: string } & GateDecision)
    | { type: 'rollback.started'; reason: string; steps: string[] }
    | { type: 'undo.started'; step: string; attempt: number }
    | { type: 'undo.succeeded'; step: string }
    | { type: 'undo.failed'; step: string; attempt: number; error: ErrorInfo; final: boolean }
    | { type: 'plan.step'; step: string; plan: StepPlan }
    | { type: 'plan.blocked'; step: string; problems: string[] }
    | { type: 'run.paused'; reason: 'gate' | 'until' | 'declined'; step: string; continueWith: string }
    | { type: 'run.finished'; status: RunStatus; message: string; hint?: string }
  );

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
