/** `release rollback <run>`: undo a run's changes in reverse order — never after the pivot. */
import { actionFor } from '../../actions/registry.js';
import { Recorder } from '../../engine/recorder.js';
import { isTerminal, pivotCrossed } from '../../engine/state.js';
import { EXIT_CODES, usageError } from '../../errors.js';
import { appIdOf } from '../../playbook/release-config.js';
import { notifierFor, portsFor } from '../adapters.js';
import { engineOptions, identity, parseSandboxFlags } from '../context.js';
import { openExistingRun } from '../existing-run.js';
import { drive } from '../drive.js';
import type { IO } from '../io.js';
import type { GlobalOptions, SandboxFlags } from '../program.js';
import { createRunView } from '../views/run-view.js';

export interface RollbackOptions extends GlobalOptions, SandboxFlags {
  run: string;
}

export async function runRollback(rawIO: IO, opts: RollbackOptions): Promise<number> {
  const { state, config, context, io, store, run } = openExistingRun(rawIO, opts, opts.run);
  if (state.dryRun) throw usageError(`Run ${run.id} is a dry run; it changed nothing.`);
  if (isTerminal(state.status)) {
    io.err.write(`Run ${run.id} already ended: ${state.finished?.message ?? state.status}\n`);
    return state.status === 'rolled_back' ? EXIT_CODES['rolled-back'] : EXIT_CODES.usage;
  }
  const flags = parseSandboxFlags(opts, state.steps.map((s) => s.id));
  const source = portsFor(io, { dir: run.dir, playbook: state.playbook }, config, context, flags);

  const pivot = pivotCrossed(state, (uses) => actionFor(uses).meta.pivot);
  if (pivot) {
    throw usageError(
      `Cannot roll back run ${run.id}: ${pivot} already published, and nothing can be un-published.`,
      'Handle it forward: `release resume` to finish, or damage control (kill-switch, emergency-maintenance).',
    );
  }
  const by = identity();
  const lock = store.locks.acquire({ app: appIdOf(config), runId: run.id, operation: 'rollback', by, resuming: true });
  const view = createRunView(io, { json: opts.json });
  view.begin(state);
  new Recorder(run, (e) => view.event(e)).record({ type: 'run.resumed', by });
  return drive({
    io,
    globals: opts,
    run,
    locks: store.locks,
    lock,
    source,
    view,
    options: engineOptions(opts, {}, source),
    notifier: notifierFor(io, config, context),
    rollbackReason: `Rollback requested by ${by.who}`,
  });
}
