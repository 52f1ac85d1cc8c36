/**
 * Reopening a run to act on it again (resume, rollback): its state from the journal, the release
 * config it was created with, and streams and journal masked for that config's secrets. A run
 * that is damaged, a dry run, or over is refused here, before any lock is taken. Showing a run
 * (log, report, status) masks the same secrets (config-secrets.ts).
 */
import { JournalDamagedError } from '../engine/journal.js';
import type { RunHandle, RunStore } from '../engine/runs.js';
import { explain } from '../engine/session.js';
import { isTerminal, pivotCrossed, type RunState } from '../engine/state.js';
import { actionFor } from '../actions/registry.js';
import { EXIT_CODES, usageError } from '../errors.js';
import type { ReleaseConfig } from '../playbook/release-config.js';
import { redactedIO, redactFor } from './config-secrets.js';
import { commandsFor, type RunContext } from './context.js';
import { openRunStore } from './state-store.js';
import type { IO } from './io.js';
import type { GlobalOptions } from './program.js';
import { recordedRelease } from './release-source.js';

export interface ExistingRun {
  state: RunState;
  config: ReleaseConfig;
  context: RunContext;
  /** Streams that mask the run's secrets. */
  io: IO;
  store: RunStore;
  run: RunHandle;
}

export async function openExistingRun(rawIO: IO, globals: GlobalOptions, ref: string): Promise<ExistingRun> {
  // One store, so the journal is read and verified once, however long it is.
  const store = await openRunStore(rawIO, globals);
  const state = await store.state(ref);
  const config = recordedRelease(state);
  const context = state.context as unknown as RunContext;
  const redact = redactFor(rawIO, config, context);
  const io = redactedIO(rawIO, redact);
  store.maskWith(redact);
  return { state, config, context, io, store, run: await store.openId(state.runId) };
}

/**
 * The run, if there is something to act on; otherwise the exit code that says why not. An ended
 * run whose process died before releasing its lock gets the lock cleared here.
 */
export async function actionableRun(rawIO: IO, globals: GlobalOptions, ref: string, verb: 'resume' | 'roll back'): Promise<ExistingRun | number> {
  const existing = await openExistingRun(rawIO, globals, ref);
  const { state, run, io, store } = existing;
  if (state.damage) throw explain(new JournalDamagedError(run.journal.where, state.damage), run.id, commandsFor(globals));
  if (state.dryRun) throw usageError(`Run ${run.id} is a dry run; it changed nothing, so there is nothing to ${verb}.`, 'Start the real thing with `release flip`.');
  // A finished run that crossed no pivot (damage control) can still have its change undone.
  const undoable = verb === 'roll back' && state.status === 'succeeded' && !pivotCrossed(state, (uses) => actionFor(uses).meta.pivot);
  if (isTerminal(state.status) && !undoable) {
    const cleared = await store.locks.clearLeftover(run.id);
    io.err.write(`Run ${run.id} already ended: ${state.finished?.message ?? state.status}\n`);
    if (cleared) io.err.write(`Its lock ${cleared.id} was left behind by a process that is gone; it is cleared.\n`);
    if (state.status === 'succeeded') return verb === 'resume' ? EXIT_CODES.ok : EXIT_CODES.usage;
    return state.status === 'rolled_back' ? EXIT_CODES['rolled-back'] : EXIT_CODES['needs-human'];
  }
  return existing;
}
