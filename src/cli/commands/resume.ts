/** `release resume <run>`: settle the step in doubt, then continue (or finish a rollback). */
import { RunSession } from '../../engine/session.js';
import { usageError } from '../../errors.js';
import { loadRealAdapters, needsWorld, notifierFor, portsFor } from '../adapters.js';
import { checkAttestable } from '../attest.js';
import { flipAlongside } from '../alongside.js';
import { commandsFor, lockKeyOf, effectiveSandboxFlags, engineOptions, hasRehearsalFlags, identity, parseSandboxFlags, sandboxRecord } from '../context.js';
import { actionableRun } from '../existing-run.js';
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
  const existing = await actionableRun(rawIO, opts, opts.run, 'resume');
  if (typeof existing === 'number') return existing;
  const { state, config, context, io, store, run } = existing;

  // Flags and ports first: nothing that can fail happens after the lock is taken.
  const stepIds = state.steps.map((s) => s.id);
  if (opts.until && !stepIds.includes(opts.until)) throw usageError(`--until ${opts.until}: no such step (steps: ${stepIds.join(', ')})`);
  const given = parseSandboxFlags(opts, stepIds);
  checkAttestable(opts.attest ?? []);
  const rehearsal = hasRehearsalFlags(given);
  if (rehearsal && !needsWorld(config, context)) throw usageError('--sandbox-* flags only apply to sandbox runs.');
  const flags = effectiveSandboxFlags(given, state.sandbox);
  const options = engineOptions(opts, opts);
  if (state.context.lockKey) options.assumeBackendLive = async () => (await flipAlongside(store, config)).backendLive;
  const allowLower = context.allowLowerVersion || opts.allowLowerVersion ? { allowLowerVersion: true } : {};
  const source = portsFor(io, { dir: run.dir, playbook: state.playbook }, config, { ...context, ...allowLower }, flags, await loadRealAdapters(context));

  const view = await createRunView(io, { json: opts.json });
  view.begin(state);
  if (!rehearsal && flags.faults.length) {
    const specs = flags.faults.map((f) => (f.platform ? `${f.step}:${f.platform}` : f.step)).join(', ');
    io.err.write(`Rehearsal faults recorded with this run still apply: ${specs}. To rehearse the fix instead, resume with --sandbox-fail none.\n`);
  }
  const notifier = await notifierFor(io, config, context);
  const session = await RunSession.reopen(
    { store, app: lockKeyOf(state.context, config), by: identity(), operation: 'resume', commands: commandsFor(opts), emit: (e) => view.event(e) },
    { runId: run.id, attest: opts.attest ?? [], ...(rehearsal ? { sandbox: sandboxRecord(flags) } : {}) },
  );
  return drive({ io, globals: opts, session, source: () => source, view, options, notifier });
}
