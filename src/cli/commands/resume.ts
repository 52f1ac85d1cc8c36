/** `release resume <run>`: settle the step in doubt, then continue (or finish a rollback). */
import { isTerminal } from '../../engine/state.js';
import { Recorder } from '../../engine/recorder.js';
import { EXIT_CODES, usageError } from '../../errors.js';
import { appIdOf } from '../../playbook/release-config.js';
import { needsWorld, notifierFor, portsFor } from '../adapters.js';
import { checkAttestable, recordAttestations } from '../attest.js';
import { engineOptions, identity, parseSandboxFlags } from '../context.js';
import { openExistingRun } from '../existing-run.js';
import { drive } from '../drive.js';
import type { IO } from '../io.js';
import type { GlobalOptions, SandboxFlags } from '../program.js';
import { createRunView } from '../views/run-view.js';

export interface ResumeOptions extends GlobalOptions, SandboxFlags {
  run: string;
  until?: string;
  wait?: string;
  attest: string[];
  allowLowerVersion: boolean;
}

export async function runResume(rawIO: IO, opts: ResumeOptions): Promise<number> {
  const { state, config, context, io, store, run } = openExistingRun(rawIO, opts, opts.run);
  if (state.dryRun) throw usageError(`Run ${run.id} is a dry run; there is nothing to resume.`, 'Start the real thing with `release flip`.');
  if (isTerminal(state.status)) {
    io.err.write(`Run ${run.id} already ended: ${state.finished?.message ?? state.status}\n`);
    return state.status === 'succeeded' ? EXIT_CODES.ok : EXIT_CODES['rolled-back'];
  }
  const stepIds = state.steps.map((s) => s.id);
  if (opts.until && !stepIds.includes(opts.until)) throw usageError(`--until ${opts.until}: no such step (steps: ${stepIds.join(', ')})`);

  const flags = parseSandboxFlags(opts, stepIds);
  checkAttestable(opts.attest ?? []);
  if ((flags.faults.length || flags.latencyMs !== undefined) && !needsWorld(config, context)) throw usageError('--sandbox-* flags only apply to sandbox runs.');

  const by = identity();
  const lock = store.locks.acquire({ app: appIdOf(config), runId: run.id, operation: 'resume', by, resuming: true });
  const view = createRunView(io, { json: opts.json });
  view.begin(state);
  const recorder = new Recorder(run, (e) => view.event(e));
  recorder.record({ type: 'run.resumed', by });
  recordAttestations(recorder, run, opts.attest ?? [], by);
  const allowLower = context.allowLowerVersion || opts.allowLowerVersion ? { allowLowerVersion: true } : {};
  const source = portsFor(io, { dir: run.dir, playbook: state.playbook }, config, { ...context, ...allowLower }, flags);
  return drive({ io, globals: opts, run, locks: store.locks, lock, source, view, options: engineOptions(opts, opts, source), notifier: notifierFor(io, config, context) });
}
