/**
 * What a run's state permits: asked by the executor, and by commands that must answer before
 * any executor runs (`status`, `rollback`'s refusal, a flip beside a live run in alongside.ts).
 * Kept apart from the executor so that reading a run does not load it.
 */
import type { EngineDeps, RunOutcome } from './executor.js';
import { pivotCrossed, type RunState, type StepState } from './state.js';

/** Started, or its intent was torn: it may have changed something. */
export function touched(step: StepState): boolean {
  return step.attempts > 0 || step.tornIntent !== undefined;
}

/** The breaking backend counts as live from the moment its deploy may have started until undone. */
export function backendMayBeLive(state: RunState, effectOf: (uses: string) => string | undefined): boolean {
  const live = new Set(['succeeded', 'failed', 'running', 'interrupted', 'unsettled', 'undoing', 'undo_failed', 'paused', 'declined']);
  return state.steps.some((s) => effectOf(s.uses) === 'deploy' && live.has(s.status) && touched(s));
}

/** Why `rollback` may not run now: the pivot may be live (nothing can be un-published). */
export function rollbackRefusal(state: RunState, isPivot: (uses: string) => boolean, commands: EngineDeps<unknown>['commands']): RunOutcome | undefined {
  if (state.status === 'rolling_back' || state.status === 'rollback_failed') return undefined;
  const pivot = pivotCrossed(state, isPivot);
  if (!pivot) return undefined;
  return {
    status: 'needs_human',
    exit: 'needs-human',
    message: `Cannot roll back run ${state.runId}: ${pivot} already went live (or may have), and nothing can be un-published. Nothing was undone.`,
    hint: `Handle it forward: \`${commands.resume(state.runId)}\` to finish, or damage control (kill switch, emergency maintenance).`,
  };
}
