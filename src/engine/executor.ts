/**
 * The step machine. Every side effect is bracketed by journal appends (intent before, outcome
 * after); in-doubt steps are settled by `verify`; failures before the pivot take the rollback
 * transition, failures after it stop for a human. The executor emits events and never prints.
 */
import { ActionError, PausedAtGate, type Action, type GateRequest, type RunFacts, type StepContext, type StepPlan } from './action.js';
import { DisplayQueue } from './display-queue.js';
import type { EngineEvent, ErrorInfo, FailureDecision, GateDecision, Identity, ResolvedStep, RunStatus } from './events.js';
import { JournalDamagedError, JournalWriteError } from './journal.js';
import { liveNow } from './live-now.js';
import { LockLostError } from './lock.js';
import { Recorder, type DurableBody, type TransientBody } from './recorder.js';
import type { RunHandle } from './runs.js';
import { backendMayBeLive, rollbackRefusal, touched } from './run-verdicts.js';
import { IN_DOUBT, isTerminal, pivotCrossed, RunView, type RunState, type StepState } from './state.js';
import { errorMessage, type ExitKind } from '../errors.js';
import type { JsonObject } from '../util/json-path.js';
import { sleep } from '../util/sleep.js';
import { formatDuration } from '../util/duration.js';

export type Phase = 'plan' | 'run' | 'verify' | 'undo';

export interface Prompter {
  confirm(message: string): Promise<boolean>;
  gate(request: { gate: string; title: string; instructions: string[] }): Promise<Omit<GateDecision, 'source'>>;
}

export interface EngineOptions {
  /** Stop (exit 0) after this step succeeds: CI jobs split a flip across jobs. */
  until?: string;
  /** Skip confirmations before irreversible steps. */
  yes: boolean;
  /** Every port is simulated (a rehearsal): a confirmation nobody can answer is not needed. */
  unattended?: boolean;
  /** Another run of this app (a flip this damage control runs alongside) may have the breaking backend live. */
  /** Asked at every step: that run may deploy while this one works. */
  assumeBackendLive?: () => Promise<boolean>;
  /** Without a prompt, wait this long at a gate for `release signoff` before pausing. */
  gateWaitMs?: number;
  /** Rehearsals compress retry and poll delays. */
  scaleDelay?: (ms: number) => number;
}

export interface EngineDeps<E> {
  run: RunHandle;
  action(uses: string): Action<JsonObject, E>;
  /** The ports each call sees: the sandbox injects faults per step, dry runs get read-only views. */
  envFor(stepId: string, phase: Phase): E;
  emit(event: EngineEvent): void;
  /** Present only when a human can be asked on this terminal. */
  prompter?: Prompter;
  identity: Identity;
  options: EngineOptions;
  /** The run as already read (the session's): shared, so a long journal is reduced once. */
  view?: RunView;
  commands: {
    resume(runId: string): string;
    signoff(runId: string, gate: string): string;
    rollback(runId: string): string;
    repair(runId: string): string;
  };
}

export interface RunOutcome {
  status: RunStatus;
  exit: ExitKind;
  message: string;
  hint?: string;
  /** What is live now (wall, backend, stores), said at every stop short of success. */
  live?: string[];
}

const UNDO_ATTEMPTS = 3;
const UNDO_DELAY_MS = 1000;
const GATE_POLL_MS = 1000;

export class Executor<E> {
  private readonly interrupt = new AbortController();
  private rollingBack = false;
  private readonly recorder: Recorder;
  private readonly display: DisplayQueue;
  private readonly view: RunView;

  constructor(private readonly deps: EngineDeps<E>) {
    this.display = new DisplayQueue(deps.emit);
    this.recorder = new Recorder(deps.run, this.display.push);
    this.view = deps.view ?? new RunView();
  }

  /**
   * Asks the run to stop. Returns false when it refuses: a rollback in progress keeps going,
   * because stopping it halfway is worse than finishing it (a second Ctrl-C still exits).
   */
  requestInterrupt(): boolean {
    if (this.rollingBack) return false;
    this.interrupt.abort(new Error('interrupted'));
    return true;
  }

  /** Runs (or continues) the run to its next stopping point; every event is shown when it returns. */
  async execute(): Promise<RunOutcome> {
    return this.shown(() => this.executeSteps());
  }

  private async executeSteps(): Promise<RunOutcome> {
    await this.sync();
    let state = this.state();
    if (state.damage) return damagedOutcome(state, this.deps.commands);
    if (isTerminal(state.status)) return { status: state.status, exit: state.status === 'succeeded' ? 'ok' : 'rolled-back', message: `Run ${state.runId} already ended: ${state.finished?.message ?? state.status}` };
    if (state.status === 'rolling_back' || state.status === 'rollback_failed') return this.continueRollback();

    for (let i = 0; i < state.steps.length; i++) {
      state = this.state();
      const step = state.steps[i]!;
      const def = state.playbook.steps[i]!;
      if (step.status === 'succeeded') continue;

      let outcome: StepOutcome;
      if (IN_DOUBT.has(step.status)) {
        outcome = await this.settle(step, def, state);
      } else if (step.status === 'paused' && step.plan) {
        outcome = await this.attempts(def, step.plan, state, true);
      } else {
        outcome = await this.start(def, state);
      }

      if (outcome.kind === 'failed') return this.afterFailure(def, outcome);
      if (outcome.kind !== 'succeeded') return this.stopped(outcome, def);
      if (this.deps.options.until === def.id && i < state.steps.length - 1) {
        return this.pause('until', def.id, `Stopped after ${def.id} as asked (--until).`);
      }
    }
    return this.finish('succeeded', 'ok', `${this.state().playbook.name} completed.`);
  }

  /**
   * `release rollback`: undo everything undoable. Refused once the pivot may have gone live:
   * nothing can be un-published, and undoing the rest would strand the users who updated.
   */
  async rollback(reason: string): Promise<RunOutcome> {
    return this.shown(() => this.rollbackNow(reason));
  }

  private async rollbackNow(reason: string): Promise<RunOutcome> {
    await this.sync();
    const state = this.state();
    if (state.damage) return damagedOutcome(state, this.deps.commands);
    const refused = rollbackRefusal(state, (uses) => this.deps.action(uses).meta.pivot, this.deps.commands);
    if (refused) {
      await this.record({ type: 'run.finished', status: 'needs_human', message: refused.message, ...(refused.hint ? { hint: refused.hint } : {}) });
      return refused;
    }
    if (state.status !== 'rolling_back' && state.status !== 'rollback_failed') await this.startRollback(state, reason);
    return this.continueRollback();
  }

  // --- steps ---------------------------------------------------------------------------------

  private async start(def: ResolvedStep, state: RunState): Promise<StepOutcome> {
    const action = this.deps.action(def.uses);
    let plan: StepPlan | undefined;
    // Planning only reads, so a transient failure gets the step's retries too.
    for (let tries = 1; !plan; tries++) {
      try {
        plan = await action.plan(def.with, await this.planContext(def.id, state));
      } catch (err) {
        if (isFatal(err)) throw err;
        if (this.interrupt.signal.aborted) return { kind: 'interrupted' };
        const retryable = !(err instanceof ActionError) || err.retryable;
        if (!retryable || tries >= def.retry.attempts) return this.fail(def, { message: `could not plan ${def.id}: ${errorMessage(err)}`, hint: hintOf(err) }, false);
        const delay = this.scale(def.retry.delayMs * 2 ** (tries - 1));
        this.emitTransient({ type: 'step.progress', step: def.id, message: `could not plan (${errorMessage(err)}); retrying in ${formatDuration(delay)}` });
        try {
          await sleep(delay, this.interrupt.signal);
        } catch {
          return { kind: 'interrupted' };
        }
      }
    }
    const blockers = [...(plan.invalid ?? []), ...(plan.blockers ?? [])];
    if (blockers.length) {
      return this.fail(def, { message: blockers.join('; '), hint: 'Nothing was changed by this step.' }, false, Boolean(plan.invalid?.length));
    }
    if (def.confirm && !this.deps.prompter && !this.deps.options.yes && !this.deps.options.unattended) {
      // Like Terraform's apply without -auto-approve: nobody can be asked, so nothing happens.
      return { kind: 'needs-yes', question: def.confirm };
    }
    if (def.confirm && this.deps.prompter && !this.deps.options.yes) {
      this.emitTransient({ type: 'step.waiting', step: def.id });
      let ok: boolean;
      try {
        ok = await this.ask((p) => p.confirm(`${def.confirm}\n  ${plan.summary}`));
      } catch (err) {
        if (this.interrupt.signal.aborted) return { kind: 'interrupted' };
        throw err;
      }
      if (!ok) {
        await this.record({ type: 'step.declined', step: def.id });
        return { kind: 'declined' };
      }
    }
    return this.attempts(def, plan, state);
  }

  /** Settles an in-doubt step: the effect happened, provably did not, or a human must look. */
  private async settle(step: StepState, def: ResolvedStep, state: RunState): Promise<StepOutcome> {
    const action = this.deps.action(def.uses);
    // A read-only step changed nothing: planning it again from the world is safe.
    if (!step.plan && !action.meta.mutates) return this.start(def, state);
    if (!step.plan) {
      // Never re-plan an in-doubt step from the world: the world may already hold its effect, and
      // the new plan's "before" would then be the after. Only a human can say what it did.
      const check = `${def.id} may have started, but its intent reached the journal only in part (line ${step.tornIntent ?? '?'}), so there is no record of what it changed or how to undo it. Check ${describeTarget(action.meta.effect)} by hand; if it changed nothing, \`${this.deps.commands.repair(state.runId)} --accept --reason "…"\` records that`;
      await this.record({ type: 'step.unsettled', step: def.id, check });
      return { kind: 'unsettled', check };
    }
    if (!action.meta.mutates || !action.verify) return this.attempts(def, step.plan, state, true);
    const verdict = await action.verify(def.with, step.plan, await this.stepContext(def, 'verify', step.attempts, state));
    if (verdict.status === 'done') {
      await this.record({ type: 'step.succeeded', step: def.id, settledBy: 'verify' });
      return { kind: 'succeeded' };
    }
    if (verdict.status === 'not-done') return this.attempts(def, step.plan, state, true);
    await this.record({ type: 'step.unsettled', step: def.id, check: verdict.check });
    return { kind: 'unsettled', check: verdict.check };
  }

  private async attempts(def: ResolvedStep, plan: StepPlan, state: RunState, continued = false): Promise<StepOutcome> {
    const action = this.deps.action(def.uses);
    let attempt = state.steps.find((s) => s.id === def.id)!.attempts;
    for (let tries = 1; ; tries++) {
      attempt += 1;
      await this.record({ type: 'step.started', step: def.id, attempt, plan, ...(continued && tries === 1 ? { continued } : {}) });
      const timeout = def.timeoutMs ? AbortSignal.timeout(def.timeoutMs) : undefined;
      const ctx = await this.stepContext(def, 'run', attempt, state, timeout);
      try {
        const output = await action.run(def.with, plan, ctx);
        await this.record({ type: 'step.succeeded', step: def.id, settledBy: 'run', ...(output ? { output } : {}) });
        return { kind: 'succeeded' };
      } catch (err) {
        if (isFatal(err)) throw err;
        if (err instanceof PausedAtGate) {
          await this.record({ type: 'step.paused', step: def.id, gate: err.gate });
          return { kind: 'paused', gate: err.gate, title: err.title, ...(err.until !== undefined ? { until: err.until } : {}) };
        }
        if (this.interrupt.signal.aborted) {
          await this.record({ type: 'step.interrupted', step: def.id });
          return { kind: 'interrupted' };
        }
        const timedOut = timeout?.aborted === true;
        const error: ErrorInfo = timedOut
          ? { message: `timed out after ${formatDuration(def.timeoutMs!)}`, hint: hintOf(err) }
          : { message: errorMessage(err), hint: hintOf(err) };
        const partial = err instanceof ActionError && err.partial;
        const retryable = !(err instanceof ActionError) || err.retryable;
        if (retryable && !partial && tries < def.retry.attempts) {
          const retryInMs = this.scale(def.retry.delayMs * 2 ** (tries - 1));
          await this.record({ type: 'step.attempt-failed', step: def.id, attempt, error, retryInMs });
          try {
            await sleep(retryInMs, this.interrupt.signal);
          } catch {
            await this.record({ type: 'step.interrupted', step: def.id });
            return { kind: 'interrupted' };
          }
          continue;
        }
        return this.fail(def, error, partial);
      }
    }
  }

  /** The failure is journaled by `afterFailure`, together with what it leads to. */
  private fail(_def: ResolvedStep, error: ErrorInfo, partial: boolean, invalidInput = false): StepOutcome {
    return { kind: 'failed', error, partial, ...(invalidInput ? { invalidInput } : {}) };
  }

  /** One durable event holds the failure and its decision, so a crash cannot lose the decision. */
  private async afterFailure(def: ResolvedStep, outcome: Extract<StepOutcome, { kind: 'failed' }>): Promise<RunOutcome> {
    const state = this.state();
    const failing = state.steps.find((s) => s.id === def.id)!;
    const asFailed: RunState = { ...state, steps: state.steps.map((s) => (s === failing ? { ...s, status: 'failed', partial: outcome.partial || s.partial === true } : s)) };
    const pivot = pivotCrossed(asFailed, (uses) => this.deps.action(uses).meta.pivot);
    const resume = this.deps.commands.resume(state.runId);
    const what = `${def.id} failed: ${outcome.error.message}`;
    let decision: FailureDecision;
    if (pivot) {
      const why = pivot === def.id ? 'part of it is already live and cannot be undone' : `${pivot} already went live`;
      decision = { then: 'stop', message: `${what}. Nothing was undone: ${why}.`, hint: join(outcome.error.hint ?? 'Fix the cause.', `Then \`${resume}\` retries ${def.id} (steps already done are not repeated).`) };
    } else if (def.onFailure === 'pause') {
      decision = { then: 'stop', message: `${what}. The playbook says to pause here; nothing was undone.`, hint: join(outcome.error.hint, `Fix and \`${resume}\`, or undo with \`${this.deps.commands.rollback(state.runId)}\`.`) };
    } else {
      decision = { then: 'rollback', reason: what, steps: this.undoOrder(asFailed), ...(outcome.error.hint ? { hint: outcome.error.hint } : {}) };
    }
    await this.record({ type: 'step.failed', step: def.id, error: outcome.error, partial: outcome.partial, decision });
    if (decision.then === 'stop') return this.finish('needs_human', 'needs-human', decision.message, decision.hint);
    const outcomeOfRollback = await this.continueRollback();
    // Refused for invalid input with nothing to undo: bad input (exit 2), not a failed flip.
    const nothingUndone = !decision.steps.length;
    return outcome.invalidInput && nothingUndone && outcomeOfRollback.exit === 'rolled-back' ? { ...outcomeOfRollback, exit: 'usage' } : outcomeOfRollback;
  }

  // --- rollback ------------------------------------------------------------------------------

  private async startRollback(state: RunState, reason: string): Promise<void> {
    await this.record({ type: 'rollback.started', reason, steps: this.undoOrder(state) });
  }

  /**
   * Every compensable step that may have changed something, newest first. A step counts once it
   * started (or its intent was torn), with or without a plan: a missing undo record stops the
   * rollback for a human (undoStep), it never makes the step look untouched.
   */
  private undoOrder(state: RunState): string[] {
    const undoable = new Set(['succeeded', 'failed', 'running', 'interrupted', 'unsettled', 'paused', 'undoing', 'undo_failed']);
    return [...state.steps]
      .reverse()
      .filter((s) => touched(s) && undoable.has(s.status) && this.deps.action(s.uses).meta.compensable)
      .map((s) => s.id);
  }

  private async continueRollback(): Promise<RunOutcome> {
    this.rollingBack = true;
    try {
      const state = this.state();
      const order = state.rollback?.steps ?? [];
      for (const id of order) {
        const step = this.state().steps.find((s) => s.id === id)!;
        // `pending`: a human vouched (repair) that its torn intent changed nothing.
        if (step.status === 'undone' || step.status === 'pending') continue;
        const def = state.playbook.steps.find((s) => s.id === id)!;
        if (!step.plan) {
          // The undo record is missing: stop here (nothing older is undone yet) for a human.
          const remaining = order.slice(order.indexOf(id));
          return this.finish(
            'needs_human',
            'needs-human',
            `Rollback stopped at ${id}: its intent reached the journal only in part (line ${step.tornIntent ?? '?'}), so there is no record of what it changed. Still to undo, in order: ${remaining.join(', ')}.`,
            `Check ${describeTarget(this.deps.action(def.uses).meta.effect)} by hand. If ${id} changed nothing (or you restored it), record that with \`${this.deps.commands.repair(state.runId)} --accept --reason "…"\`, then \`${this.deps.commands.rollback(state.runId)}\` goes on.`,
          );
        }
        const ok = await this.undoStep(def, step, this.state());
        if (!ok) {
          const remaining = order.slice(order.indexOf(id));
          return this.finish(
            'rollback_failed',
            'rollback-failed',
            `Rollback failed at ${id}: ${this.state().steps.find((s) => s.id === id)!.error?.message}. Still to undo, in order: ${remaining.join(', ')}.`,
            `Fix the cause, then \`${this.deps.commands.rollback(state.runId)}\` retries the remaining undos.`,
          );
        }
      }
      const undone = order.length ? `Undone, in order: ${order.join(', ')}.` : 'Nothing needed undoing.';
      // "As before" only when it is true: a step that changed something and has no undo stays as it is.
      const mayHaveChanged = (s: StepState) => s.status === 'succeeded' || (s.status === 'failed' && s.partial === true) || IN_DOUBT.has(s.status);
      const kept = this.state().steps.filter((s) => touched(s) && mayHaveChanged(s) && this.deps.action(s.uses).meta.mutates && !this.deps.action(s.uses).meta.compensable).map((s) => s.id);
      const world = kept.length
        ? `Not undoable, so left as they are: ${kept.join(', ')}; check what they changed.`
        : 'The world is as it was before the run. Fix the cause and start a new flip.';
      return this.finish('rolled_back', 'rolled-back', `${state.rollback?.reason ?? 'Rolled back'}. ${undone}`, lines(state.rollback?.hint, world));
    } finally {
      this.rollingBack = false;
    }
  }

  private async undoStep(def: ResolvedStep, step: StepState, state: RunState): Promise<boolean> {
    const action = this.deps.action(def.uses);
    for (let attempt = 1; attempt <= UNDO_ATTEMPTS; attempt++) {
      await this.record({ type: 'undo.started', step: def.id, attempt });
      try {
        await action.undo!(def.with, step.plan!, await this.stepContext(def, 'undo', attempt, state));
        await this.record({ type: 'undo.succeeded', step: def.id });
        return true;
      } catch (err) {
        if (isFatal(err)) throw err;
        const final = attempt === UNDO_ATTEMPTS || (err instanceof ActionError && !err.retryable);
        await this.record({ type: 'undo.failed', step: def.id, attempt, error: { message: errorMessage(err), hint: hintOf(err) }, final });
        if (final) return false;
        await sleep(this.scale(UNDO_DELAY_MS * 2 ** (attempt - 1)));
      }
    }
    return false;
  }

  // --- gates ---------------------------------------------------------------------------------

  private async passGate(stepId: string, req: GateRequest, signal: AbortSignal): Promise<GateDecision> {
    await this.sync(); // a sign-off may have been given from elsewhere while this run was away
    const decided = this.state().gates[req.gate]?.decision;
    if (decided) return decided;
    if (!this.state().gates[req.gate]?.openedAt) {
      await this.record({ type: 'gate.opened', step: stepId, gate: req.gate, title: req.title, instructions: req.instructions });
    }
    const auto = await req.auto?.(signal);
    if (auto) return this.decide(req.gate, auto);
    if (this.deps.prompter && req.until === undefined) {
      for (;;) {
        this.emitTransient({ type: 'step.waiting', step: stepId });
        const answer = await this.ask((p) => p.gate(req));
        // One slip (an unticked box, the wrong choice) must not roll production back unasked.
        if (answer.approved || (await this.ask((p) => p.confirm(this.rejectionQuestion(stepId, answer.reason))))) {
          return this.decide(req.gate, { ...answer, source: 'prompt' });
        }
      }
    }
    // A hold on a terminal is waited out here (Ctrl-C stops it; resume continues); elsewhere --wait bounds it.
    const holdHere = req.until !== undefined && this.deps.prompter !== undefined;
    if (holdHere) this.emitTransient({ type: 'step.progress', step: stepId, message: `holding until ${new Date(req.until!).toISOString()} (Ctrl-C stops; \`release resume\` continues)` });
    const deadline = holdHere ? req.until! + GATE_POLL_MS : Date.now() + (this.deps.options.gateWaitMs ?? 0);
    // The journal is read every second; `auto` (maybe a store API call) only as often as it asked.
    let autoDelay = req.autoPollMs ?? 0;
    let nextAuto = Date.now() + autoDelay;
    while (Date.now() < deadline) {
      await sleep(Math.min(GATE_POLL_MS, Math.max(0, deadline - Date.now())), signal);
      await this.sync();
      const external = this.state().gates[req.gate]?.decision;
      if (external) return external;
      if (Date.now() < nextAuto) continue;
      const later = await req.auto?.(signal);
      if (later) return this.decide(req.gate, later);
      autoDelay = Math.min(autoDelay * 1.5, (req.autoPollMs ?? 0) * 5);
      nextAuto = Date.now() + autoDelay;
    }
    throw new PausedAtGate(req.gate, req.title, req.until);
  }

  /** What a rejection here leads to, asked before it is recorded. */
  private rejectionQuestion(stepId: string, reason: string | undefined): string {
    const state = this.state();
    const asFailed: RunState = { ...state, steps: state.steps.map((s) => (s.id === stepId ? { ...s, status: 'failed' } : s)) };
    const pivot = pivotCrossed(asFailed, (uses) => this.deps.action(uses).meta.pivot);
    const def = state.playbook.steps.find((s) => s.id === stepId);
    const then = pivot
      ? `Nothing is undone (${pivot} is live); the run stops for a human.`
      : def?.onFailure === 'pause'
        ? 'The run stops for a human; nothing is undone.'
        : this.undoOrder(asFailed).length
          ? `It rolls back now, in order: ${this.undoOrder(asFailed).join(', ')}.`
          : 'Nothing needs undoing.';
    return `Reject${reason ? ` (${reason})` : ''}? ${then}`;
  }

  private async decide(gate: string, decision: GateDecision): Promise<GateDecision> {
    await this.record({ type: 'gate.decided', gate, ...decision });
    return decision;
  }

  // --- contexts and bookkeeping --------------------------------------------------------------

  private async planContext(stepId: string, state: RunState) {
    return { runId: state.runId, stepId, env: this.deps.envFor(stepId, 'plan'), facts: await this.facts(state), signal: this.interrupt.signal };
  }

  private async stepContext(def: ResolvedStep, phase: Phase, attempt: number, state: RunState, timeout?: AbortSignal): Promise<StepContext<E>> {
    const signal = timeout ? AbortSignal.any([this.interrupt.signal, timeout]) : this.interrupt.signal;
    return {
      runId: state.runId,
      stepId: def.id,
      attempt,
      env: this.deps.envFor(def.id, phase),
      facts: await this.facts(state),
      signal,
      progress: (message) => this.emitTransient({ type: 'step.progress', step: def.id, message }),
      sleep: (ms) => sleep(this.scale(ms), signal),
      gate: (req) => this.passGate(def.id, req, signal),
      record: (entry) => this.record({ type: 'step.recorded', step: def.id, record: entry }),
      records: () => this.state().steps.find((s) => s.id === def.id)?.records ?? [],
    };
  }

  /** The breaking backend counts as live from the moment its deploy may have started until undone. */
  async facts(state: RunState): Promise<RunFacts> {
    return {
      backendLive: (await this.deps.options.assumeBackendLive?.()) === true || backendMayBeLive(state, (uses) => this.deps.action(uses).meta.effect),
      earlier: state.steps.filter((s) => s.status === 'succeeded' && s.plan).map((s) => ({ step: s.id, uses: s.uses, plan: s.plan! })),
    };
  }

  private stopped(outcome: StepOutcome, def: ResolvedStep): Promise<RunOutcome> {
    const runId = this.deps.run.id;
    const resume = this.deps.commands.resume(runId);
    switch (outcome.kind) {
      case 'paused':
        if (outcome.until !== undefined) {
          return this.pause('gate', def.id, `Holding (${outcome.title}): continue at ${new Date(outcome.until).toISOString()} or later.`, resume);
        }
        return this.pause('gate', def.id, `Paused at gate ${outcome.gate}: ${outcome.title}.`, `${this.deps.commands.signoff(runId, outcome.gate)} && ${resume}`);
      case 'declined':
        return this.pause('declined', def.id, `Stopped before ${def.id}: not confirmed.`);
      case 'needs-yes':
        return this.pause('confirm', def.id, `Stopped before ${def.id}, which asks "${outcome.question}": nobody can answer here, and --yes was not given. Nothing of ${def.id} was done.`, `${resume} --yes`);
      case 'interrupted':
        return this.finish('interrupted', 'interrupted', `Interrupted during ${def.id}.`, `\`${resume}\` checks what ${def.id} did and continues.`);
      case 'unsettled':
        return this.finish('needs_human', 'needs-human', `Cannot tell whether ${def.id} took effect: ${outcome.check}`, `Check by hand, then \`${resume}\` (it asks again) or \`${this.deps.commands.rollback(runId)}\`.`);
      default:
        throw new Error(`unexpected outcome ${outcome.kind}`);
    }
  }

  private async pause(reason: 'gate' | 'until' | 'declined' | 'confirm', step: string, message: string, continueWith?: string): Promise<RunOutcome> {
    const cont = continueWith ?? this.deps.commands.resume(this.deps.run.id);
    await this.record({ type: 'run.paused', reason, step, continueWith: cont });
    const state = this.state();
    return { status: 'paused', exit: reason === 'until' ? 'ok' : 'paused', message, hint: lines(`Continue with: ${cont}`, this.undoHint(state)), live: this.live(state) };
  }

  private async finish(status: RunStatus, exit: ExitKind, message: string, hint?: string): Promise<RunOutcome> {
    await this.record({ type: 'run.finished', status, message, ...(hint ? { hint } : {}) });
    const state = this.state();
    const more = status === 'interrupted' ? this.undoHint(state) : undefined;
    return { status, exit, message, hint: lines(hint, more) || undefined, ...(status === 'succeeded' ? {} : { live: this.live(state) }) };
  }

  private live(state: RunState): string[] {
    return liveNow(state, (uses) => this.deps.action(uses).meta.effect);
  }

  /** The other way on from a stop: undo, while nothing irreversible has happened. */
  private undoHint(state: RunState): string | undefined {
    if (rollbackRefusal(state, (uses) => this.deps.action(uses).meta.pivot, this.deps.commands)) return undefined;
    if (!state.steps.some((s) => touched(s) && this.deps.action(s.uses).meta.compensable)) return undefined;
    return `Or undo what was done: ${this.deps.commands.rollback(state.runId)}`;
  }

  /** The run as this process knows it: in memory, advanced by each append (see `sync`). */
  private state(): RunState {
    return this.view.current();
  }

  /** Applies what is new in the journal: this run's own appends and another process's (a signoff). */
  private async sync(): Promise<void> {
    this.view.advance(await this.deps.run.journal.readSince(this.view.position));
  }

  private scale(ms: number): number {
    return this.deps.options.scaleDelay ? this.deps.options.scaleDelay(ms) : ms;
  }

  private async record(body: DurableBody): Promise<void> {
    const event = await this.recorder.record(body);
    // Nothing landed between this run's last event and this one: the view takes it as written,
    // with no read. Otherwise (a sign-off appended meanwhile) read what is new, in order.
    if (event.seq === this.view.position + 1) this.view.advance({ events: [event] });
    else await this.sync();
  }

  private emitTransient(body: TransientBody): void {
    this.recorder.transient(body);
  }

  /** The views are handed every event before the caller gets the outcome. */
  private async shown(work: () => Promise<RunOutcome>): Promise<RunOutcome> {
    let outcome: RunOutcome;
    try {
      outcome = await work();
    } catch (err) {
      try {
        this.display.flush();
      } catch {
        // the run's own failure is the one to report
      }
      throw err;
    }
    this.display.flush();
    return outcome;
  }

  /** A prompt draws below what the views show: they are handed every event first. */
  private ask<T>(question: (prompter: Prompter) => Promise<T>): Promise<T> {
    this.display.flush();
    return question(this.deps.prompter!);
  }
}

type StepOutcome =
  | { kind: 'succeeded' }
  | { kind: 'failed'; error: ErrorInfo; partial: boolean; invalidInput?: boolean }
  | { kind: 'paused'; gate: string; title: string; until?: number }
  | { kind: 'declined' }
  | { kind: 'needs-yes'; question: string }
  | { kind: 'interrupted' }
  | { kind: 'unsettled'; check: string };

/** Failures of the run's own record: never a step's failure, they stop the run where it is. */
export function isFatal(err: unknown): boolean {
  return err instanceof JournalWriteError || err instanceof JournalDamagedError || err instanceof LockLostError;
}

function describeTarget(effect: string | undefined): string {
  if (effect === 'deploy') return 'the backend version now served';
  if (effect === 'publish') return 'both stores';
  if (effect === 'wall-up' || effect === 'wall-down') return 'the remote config (maintenance and versions)';
  return 'what this step changes';
}

/** A damaged journal: nothing acts on the run, and the way out is named. */
export function damagedOutcome(state: RunState, commands: EngineDeps<unknown>['commands']): RunOutcome {
  const d = state.damage!;
  return {
    status: 'damaged',
    exit: 'needs-human',
    message: `Run ${state.runId} has a damaged journal at line ${d.line}: ${d.problem}.${d.text ? ` The line held: ${d.text}` : ''} Nothing was done.`,
    hint: `\`release status ${state.runId}\` shows what can still be read; \`${commands.repair(state.runId)}\` compares it with the world and records your decision.`,
  };
}

function hintOf(err: unknown): string | undefined {
  return err instanceof ActionError || (err instanceof Error && 'hint' in err) ? ((err as { hint?: string }).hint ?? undefined) : undefined;
}

function lines(...parts: (string | undefined)[]): string {
  return parts.filter(Boolean).join('\n');
}

function join(...parts: (string | undefined)[]): string {
  return parts.filter(Boolean).join(' ');
}
