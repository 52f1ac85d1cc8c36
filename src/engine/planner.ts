/**
 * Dry run: every step's `plan` against a projected world, no `run`. Each plan's changes are
 * applied to the projection before the next step plans, so later steps show their real diffs
 * (exit-maintenance sees maintenance on). Mutating provider calls are impossible here: the
 * composition root hands actions read-only ports that throw on any write.
 */
import type { Action, Change, RunFacts } from './action.js';
import type { EngineEvent } from './events.js';
import type { Phase, RunOutcome } from './executor.js';
import { Recorder } from './recorder.js';
import type { RunHandle } from './runs.js';
import { reduceRun } from './state.js';
import type { JsonObject } from '../util/json-path.js';
import { errorMessage } from '../errors.js';

export interface PlanDeps<E> {
  run: RunHandle;
  action(uses: string): Action<JsonObject, E>;
  envFor(stepId: string, phase: Phase): E;
  emit(event: EngineEvent): void;
  /** Applies a step's planned changes to the projected world the next step reads. */
  project(changes: Change[]): void;
  /** Another run of this app may have the breaking backend live (damage control alongside a flip). */
  assumeBackendLive?: boolean;
}

export async function planRun<E>(deps: PlanDeps<E>): Promise<RunOutcome> {
  const recorder = new Recorder(deps.run, deps.emit);
  const state = reduceRun((await deps.run.journal.read()).events);
  const facts: RunFacts = { backendLive: deps.assumeBackendLive === true, earlier: [] };
  const signal = new AbortController().signal;
  let changes = 0;
  const problems: string[] = [];
  let invalidInput = false;

  for (const def of state.playbook.steps) {
    const action = deps.action(def.uses);
    try {
      const plan = await action.plan(def.with, { runId: state.runId, stepId: def.id, env: deps.envFor(def.id, 'plan'), facts: { ...facts, earlier: [...facts.earlier] }, signal });
      await recorder.record({ type: 'plan.step', step: def.id, plan });
      facts.earlier.push({ step: def.id, uses: def.uses, plan });
      changes += plan.changes.length;
      const blockers = [...(plan.invalid ?? []), ...(plan.blockers ?? [])];
      if (plan.invalid?.length) invalidInput = true;
      if (blockers.length) {
        problems.push(...blockers.map((b) => `${def.id}: ${b}`));
        await recorder.record({ type: 'plan.blocked', step: def.id, problems: blockers });
      }
      deps.project(plan.changes);
    } catch (err) {
      problems.push(`${def.id}: ${errorMessage(err)}`);
      await recorder.record({ type: 'plan.blocked', step: def.id, problems: [errorMessage(err)] });
    }
    if (action.meta.effect === 'deploy') facts.backendLive = true;
  }

  const message = `Dry run of ${state.playbook.name}: ${changes} change(s) across ${state.playbook.steps.length} steps; nothing was changed.`;
  if (problems.length) {
    const hint = `A real run would stop at: ${problems.join(' | ')}`;
    await recorder.record({ type: 'run.finished', status: 'planned', message, hint });
    return { status: 'planned', exit: invalidInput ? 'usage' : 'needs-human', message, hint };
  }
  await recorder.record({ type: 'run.finished', status: 'planned', message });
  return { status: 'planned', exit: 'ok', message };
}
