/**
 * Run state as a pure reduction of the journal. Nothing else is authoritative: a crashed run,
 * a run paused for days at a gate and a run moved to another machine all rebuild from here.
 */
import type { JsonObject } from '../util/json-path.js';
import type { StepPlan } from './action.js';
import type { DurableEvent, ErrorInfo, GateDecision, Identity, ResolvedPlaybook, RunStatus } from './events.js';
import type { JournalDamage, JournalRead } from './journal.js';

export type StepStatus =
  | 'pending'
  /** Started and no outcome journaled: in doubt. */
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'paused'
  | 'interrupted'
  /** `verify` could not tell whether the effect happened. */
  | 'unsettled'
  | 'declined'
  | 'undoing'
  | 'undone'
  | 'undo_failed';

export interface StepState {
  id: string;
  uses: string;
  status: StepStatus;
  attempts: number;
  plan?: StepPlan;
  output?: JsonObject;
  error?: ErrorInfo;
  partial?: boolean;
  settledBy?: 'run' | 'verify';
  gate?: string;
  check?: string;
  /** Its latest intent reached the disk only in part (journal line): in doubt, maybe without a plan. */
  tornIntent?: number;
  /** What the action journaled with `ctx.record`, oldest first, over every attempt and resume. */
  records: JsonObject[];
  startedAt?: string;
  endedAt?: string;
}

export interface GateState {
  gate: string;
  step?: string;
  title?: string;
  instructions?: string[];
  openedAt?: string;
  decision?: GateDecision & { ts: string };
}

export interface RunState {
  runId: string;
  createdAt: string;
  updatedAt: string;
  playbook: ResolvedPlaybook;
  release: JsonObject;
  context: JsonObject;
  dryRun: boolean;
  createdBy: Identity;
  /** Who started or last resumed it, from where: the run's holder, or its last one. */
  lastHeldBy: Identity & { since: string };
  status: RunStatus;
  steps: StepState[];
  gates: Record<string, GateState>;
  /** The gate (and its step) the run is waiting at, if paused at one. */
  waitingAt?: { gate: string; step: string };
  pausedAfter?: string;
  rollback?: { reason: string; steps: string[]; hint?: string };
  finished?: { status: RunStatus; message: string; hint?: string };
  /** Set when the journal cannot be trusted past a line: the run is `damaged`. */
  damage?: JournalDamage;
  /** Decisions a human journaled about earlier damage. */
  repairs: { decision: 'accept' | 'abandon'; by: string; reason: string; ts: string }[];
  /** Rehearsal settings (`--sandbox-fail` and co.) in force: recorded at creation, replaced on resume. */
  sandbox?: JsonObject;
}

export const IN_DOUBT: ReadonlySet<StepStatus> = new Set(['running', 'interrupted', 'unsettled']);

/** Reduces what a journal read holds; damage makes the run `damaged`, a torn intent puts its step in doubt. */
export function reduceJournal(read: JournalRead): RunState {
  const state = reduceRun(read.events);
  if (read.torn?.type === 'step.started' && read.torn.step) markTornIntent(state, read.torn.step, read.torn.line);
  if (read.damage) {
    state.damage = read.damage;
    state.status = 'damaged';
  }
  return state;
}

export function reduceRun(events: DurableEvent[]): RunState {
  const state = initialState(events[0]);
  for (let i = 1; i < events.length; i++) apply(state, events[i]!);
  return state;
}

/**
 * A run's state kept in memory and advanced by what is new in the journal, so a check costs the
 * same after 100k events as after 20. Damage and a torn tail are the last read's, laid on a copy.
 */
export class RunView {
  private base: RunState | undefined;
  private seen = 0;
  private flags: Pick<JournalRead, 'damage' | 'torn'> = {};

  /** How many events it has applied: the next read starts after them. */
  get position(): number {
    return this.seen;
  }

  /** Applies `read.events` (the events after `position`), and keeps the read's damage and torn tail. */
  advance(read: JournalRead): void {
    for (const event of read.events) {
      if (this.base) apply(this.base, event);
      else this.base = initialState(event);
      this.seen += 1;
    }
    this.flags = { ...(read.damage ? { damage: read.damage } : {}), ...(read.torn ? { torn: read.torn } : {}) };
  }

  /**
   * A copy the caller may keep: later events never change its status, steps or gates under it.
   * Its size is the playbook's, not the history's: each step's records (append-only facts) and
   * the plans are shared, not copied.
   */
  current(): RunState {
    if (!this.base) throw new Error('journal does not start with run.created');
    const base = this.base;
    const state: RunState = {
      ...base,
      steps: base.steps.map((step) => ({ ...step })),
      gates: Object.fromEntries(Object.entries(base.gates).map(([name, gate]) => [name, { ...gate }])),
      repairs: [...base.repairs],
    };
    if (this.flags.torn?.type === 'step.started' && this.flags.torn.step) markTornIntent(state, this.flags.torn.step, this.flags.torn.line);
    if (this.flags.damage) {
      state.damage = this.flags.damage;
      state.status = 'damaged';
    }
    return state;
  }
}

function initialState(first: DurableEvent | undefined): RunState {
  if (!first || first.type !== 'run.created') throw new Error('journal does not start with run.created');
  return {
    runId: first.runId,
    createdAt: first.ts,
    updatedAt: first.ts,
    playbook: first.playbook,
    release: first.release,
    context: first.context,
    dryRun: first.dryRun,
    createdBy: first.by,
    lastHeldBy: { ...first.by, since: first.ts },
    status: first.dryRun ? 'planned' : 'running',
    steps: first.playbook.steps.map((s) => ({ id: s.id, uses: s.uses, status: 'pending', attempts: 0, records: [] })),
    gates: {},
    repairs: [],
    ...(isObject(first.context.sandboxFlags) ? { sandbox: first.context.sandboxFlags } : {}),
  };
}

function apply(state: RunState, e: DurableEvent): void {
  state.updatedAt = e.ts;
  const step = 'step' in e ? state.steps.find((s) => s.id === e.step) : undefined;
  switch (e.type) {
    case 'run.created':
      return;
    case 'run.resumed':
      state.lastHeldBy = { ...e.by, since: e.ts };
      if (e.sandbox) state.sandbox = e.sandbox;
      state.status = state.rollback ? 'rolling_back' : 'running';
      state.waitingAt = undefined;
      state.pausedAfter = undefined;
      state.finished = undefined;
      return;
    case 'step.started':
      if (!step) return;
      if (step.status === 'pending' || step.status === 'failed' || step.status === 'declined') {
        step.startedAt = e.ts;
        step.error = undefined;
      }
      step.startedAt ??= e.ts;
      step.status = 'running';
      step.attempts = e.attempt;
      step.plan = e.plan;
      step.tornIntent = undefined;
      step.endedAt = undefined;
      return;
    case 'step.attempt-failed':
      if (step) step.error = e.error;
      return;
    case 'step.succeeded':
      if (!step) return;
      step.status = 'succeeded';
      step.output = e.output;
      step.settledBy = e.settledBy;
      step.endedAt = e.ts;
      step.error = undefined;
      return;
    case 'step.failed':
      if (!step) return;
      step.status = 'failed';
      step.error = e.error;
      // Sticky: once part of an irreversible effect happened, no later failure makes it un-happen.
      step.partial = step.partial === true || e.partial;
      step.endedAt = e.ts;
      if (e.decision.then === 'rollback') {
        state.status = 'rolling_back';
        state.rollback = { reason: e.decision.reason, steps: e.decision.steps, ...(e.decision.hint ? { hint: e.decision.hint } : {}) };
      } else {
        state.status = 'needs_human';
        state.finished = { status: 'needs_human', message: e.decision.message, hint: e.decision.hint };
      }
      return;
    case 'step.interrupted':
      if (step) step.status = 'interrupted';
      return;
    case 'step.paused':
      if (!step) return;
      step.status = 'paused';
      step.gate = e.gate;
      return;
    case 'step.unsettled':
      if (!step) return;
      step.status = 'unsettled';
      step.check = e.check;
      return;
    case 'step.declined':
      if (step) step.status = 'declined';
      return;
    case 'step.recorded':
      step?.records.push(stamped(e.record, e.ts));
      return;
    case 'gate.opened': {
      const gate = (state.gates[e.gate] ??= { gate: e.gate });
      Object.assign(gate, { step: e.step, title: e.title, instructions: e.instructions, openedAt: e.ts });
      return;
    }
    case 'gate.decided': {
      const gate = (state.gates[e.gate] ??= { gate: e.gate });
      gate.decision = { approved: e.approved, by: e.by, reason: e.reason, source: e.source, ts: e.ts };
      return;
    }
    case 'rollback.started':
      state.status = 'rolling_back';
      state.rollback = { reason: e.reason, steps: e.steps };
      return;
    case 'undo.started':
      if (step) step.status = 'undoing';
      return;
    case 'undo.succeeded':
      if (!step) return;
      step.status = 'undone';
      step.endedAt = e.ts;
      return;
    case 'undo.failed':
      if (step && e.final) {
        step.status = 'undo_failed';
        step.error = e.error;
      }
      return;
    case 'plan.step':
      if (step) step.plan = e.plan;
      return;
    case 'plan.blocked':
      if (step) step.error = { message: e.problems.join('; ') };
      return;
    case 'run.paused':
      state.status = 'paused';
      if (e.reason === 'gate') state.waitingAt = { gate: step?.gate ?? '', step: e.step };
      else state.pausedAfter = e.step;
      return;
    case 'run.finished':
      state.status = e.status;
      state.finished = { status: e.status, message: e.message, hint: e.hint };
      return;
    case 'journal.torn':
      if (e.fragment.type === 'step.started' && e.fragment.step) markTornIntent(state, e.fragment.step, e.line);
      return;
    case 'run.repaired':
      state.repairs.push({ decision: e.decision, by: e.by.who, reason: e.reason, ts: e.ts });
      // The human vouched that intents torn before this point changed nothing.
      for (const s of state.steps) {
        if (s.tornIntent === undefined || s.plan) continue;
        s.tornIntent = undefined;
        s.status = 'pending';
      }
      if (e.decision === 'abandon') {
        state.status = 'abandoned';
        state.finished = { status: 'abandoned', message: `Closed by ${e.by.who} after journal damage: ${e.reason}`, hint: 'The tool will not act on this run again; check the world by hand.' };
      }
      return;
  }
}

/** The intent was never journaled whole: the step is in doubt, settled by verify if an earlier plan exists. */
function markTornIntent(state: RunState, stepId: string, line: number): void {
  const step = state.steps.find((s) => s.id === stepId);
  if (!step) return;
  step.status = 'running';
  step.tornIntent = line;
}

/**
 * `{ ...record, at }`, built by assignment: V8 is slow to extend a spread copy, which a journal
 * of 100k polls notices. A record's own `__proto__` key (JSON can hold one) is kept as a spread.
 */
function stamped(record: JsonObject, at: string): JsonObject {
  return Object.hasOwn(record, '__proto__') ? { ...record, at } : Object.assign({}, record, { at });
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Statuses after which `resume` has nothing left to do. */
export function isTerminal(status: RunStatus): boolean {
  return status === 'succeeded' || status === 'rolled_back' || status === 'planned' || status === 'abandoned';
}

/** The pivot step that went live (fully, partly, or maybe: in doubt), if any. */
export function pivotCrossed(state: RunState, isPivot: (uses: string) => boolean): string | undefined {
  const started = (s: StepState) => s.attempts > 0 || s.tornIntent !== undefined;
  // `partial` is sticky, so a later decline or a plan-time failure cannot hide what already went live.
  const mayBeLive = (s: StepState) => s.status === 'succeeded' || s.partial === true || (IN_DOUBT.has(s.status) && started(s));
  return state.steps.find((s) => isPivot(s.uses) && mayBeLive(s))?.id;
}
