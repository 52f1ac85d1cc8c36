/** `release resume <run>`: settle the step in doubt, then continue (or finish a rollback). */
import { isTerminal } from '../../engine/state.js';
import { Recorder } from '../../engine/recorder.js';
import { EXIT_CODES, usageError } from '../../errors.js';
import { appIdOf } from '../../playbook/release-config.js';
import { engineOptions, identity, openRunStore, parseSandboxFlags, portsFor, recordedRelease, type RunContext } from '../context.js';
import { drive } from '../drive.js';
import type { IO } from '../io.js';
import type { GlobalOptions, SandboxFlags } from '../program.js';
import { createRunView } from '../views/run-view.js';

export interface ResumeOptions extends GlobalOptions, SandboxFlags {
  run: string;
  until?: string;
  wait?: string;
}

export async function runResume(io: IO, opts: ResumeOptions): Promise<number> {
  const store = openRunStore(io, opts);
  const run = store.open(opts.run);
  const state = store.state(run.id);
  if (state.dryRun) throw usageError(`Run ${run.id} is a dry run; there is nothing to resume.`, 'Start the real thing with `release flip`.');
  if (isTerminal(state.status)) {
    io.err.write(`Run ${run.id} already ended: ${state.finished?.message ?? state.status}\n`);
    return state.status === 'succeeded' ? EXIT_CODES.ok : EXIT_CODES['rolled-back'];
  }
  const stepIds = state.steps.map((s) => s.id);
  if (opts.until && !stepIds.includes(opts.until)) throw usageError(`--until ${opts.until}: no such step (steps: ${stepIds.join(', ')})`);

  const config = recordedRelease(state);
  const context = state.context as unknown as RunContext;
  const flags = parseSandboxFlags(opts, stepIds);
  if ((flags.faults.length || flags.latencyMs !== undefined) && !context.sandbox) throw usageError('--sandbox-* flags only apply to sandbox runs.');

  const by = identity();
  const lock = store.locks.acquire({ app: appIdOf(config), runId: run.id, operation: 'resume', by, resuming: true });
  const view = createRunView(io, { json: opts.json });
  view.begin(state);
  new Recorder(run, (e) => view.event(e)).record({ type: 'run.resumed', by });
  const source = portsFor({ dir: run.dir, playbook: state.playbook }, config, context, flags);
  return drive({ io, globals: opts, run, locks: store.locks, lock, source, view, options: engineOptions(opts, opts, source) });
}
