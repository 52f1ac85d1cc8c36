/** `release rollback <run>`: undo a run's changes in reverse order (the engine refuses after the pivot). */
import { actionFor } from '../../actions/registry.js';
import { rollbackRefusal } from '../../engine/run-verdicts.js';
import { RunSession } from '../../engine/session.js';
import { loadRealAdapters, notifierFor, portsFor } from '../adapters.js';
import { flipAlongside } from '../alongside.js';
import { commandsFor, lockKeyOf, effectiveSandboxFlags, engineOptions, identity, parseSandboxFlags } from '../context.js';
import { actionableRun } from '../existing-run.js';
import { drive } from '../drive.js';
import { exitCodeOf } from '../exit.js';
import type { IO } from '../io.js';
import type { GlobalOptions, SandboxFlags } from '../program.js';
import { createRunView } from '../views/run-view.js';

export interface RollbackOptions extends GlobalOptions, SandboxFlags {
  run: string;
}

export async function runRollback(rawIO: IO, opts: RollbackOptions): Promise<number> {
  const existing = await actionableRun(rawIO, opts, opts.run, 'roll back');
  if (typeof existing === 'number') return existing;
  const { state, config, context, io, store, run } = existing;
  // The engine refuses too; asking first leaves the journal untouched.
  const refused = rollbackRefusal(state, (uses) => actionFor(uses).meta.pivot, commandsFor(opts));
  if (refused) {
    io.err.write(`${refused.message}\n${refused.hint}\n`);
    if (opts.json) io.out.write(`${JSON.stringify({ type: 'error', runId: run.id, kind: refused.exit, message: refused.message, hint: refused.hint, ts: new Date().toISOString() })}\n`);
    return exitCodeOf(refused.exit);
  }
  const flags = effectiveSandboxFlags(parseSandboxFlags(opts, state.steps.map((s) => s.id)), state.sandbox);
  const options = engineOptions(opts, {});
  if (state.context.lockKey) options.assumeBackendLive = async () => (await flipAlongside(store, config)).backendLive;
  const source = portsFor(io, { dir: run.dir, playbook: state.playbook }, config, context, flags, await loadRealAdapters(context));

  const by = identity();
  const view = await createRunView(io, { json: opts.json });
  view.begin(state);
  const notifier = await notifierFor(io, config, context);
  const session = await RunSession.reopen(
    { store, app: lockKeyOf(state.context, config), by, operation: 'rollback', commands: commandsFor(opts), emit: (e) => view.event(e) },
    { runId: run.id, attest: [], undoEnded: true },
  );
  return drive({ io, globals: opts, session, source: () => source, view, options, notifier, rollbackReason: `Rollback requested by ${by.who}` });
}
