/** `release signoff <run> --approve|--reject`: decide a gate out of band, on the record. */
import { JournalDamagedError } from '../../engine/journal.js';
import { Recorder } from '../../engine/recorder.js';
import { explain } from '../../engine/session.js';
import { isTerminal } from '../../engine/state.js';
import { usageError } from '../../errors.js';
import { commandsFor, identity } from '../context.js';
import { openRunStore } from '../state-store.js';
import type { IO } from '../io.js';
import type { GlobalOptions } from '../program.js';

export interface SignoffOptions extends GlobalOptions {
  run: string;
  approve?: boolean;
  reject?: boolean;
  gate?: string;
  by?: string;
  reason?: string;
}

export async function runSignoff(io: IO, opts: SignoffOptions): Promise<number> {
  if (Boolean(opts.approve) === Boolean(opts.reject)) throw usageError('Say --approve or --reject (one of them).');
  const store = await openRunStore(io, opts);
  const run = await store.journalOf(opts.run);
  const state = await store.state(run.id);
  if (state.damage) throw explain(new JournalDamagedError(run.journal.where, state.damage), run.id, commandsFor(opts));
  if (state.dryRun || isTerminal(state.status)) throw usageError(`Run ${run.id} is ${state.status}: it waits at no gate.`);

  const open = Object.values(state.gates).filter((g) => g.openedAt && !g.decision).map((g) => g.gate);
  const gate = opts.gate ?? state.waitingAt?.gate ?? (open.length === 1 ? open[0] : undefined);
  if (!gate) {
    throw usageError(
      `Run ${run.id} is not waiting at a gate (status: ${state.status}).`,
      open.length > 1 ? `Several gates are open: ${open.join(', ')}; pick one with --gate.` : 'Name the gate with --gate to decide it ahead of time.',
    );
  }
  const decided = state.gates[gate]?.decision;
  if (decided) {
    throw usageError(`Gate ${gate} of run ${run.id} was already ${decided.approved ? 'approved' : 'rejected'} by ${decided.by} at ${decided.ts}.`);
  }
  if (opts.reject && !opts.reason) throw usageError('A rejection needs --reason: the journal and the team need to know what failed.');

  let event;
  try {
    // No lock needed: the journal's compare-and-set append orders this line with the running process's.
    event = await new Recorder(run, (e) => opts.json && io.out.write(`${JSON.stringify(e)}\n`)).record({
      type: 'gate.decided',
      gate,
      approved: Boolean(opts.approve),
      by: opts.by ?? identity().who,
      source: 'signoff',
      ...(opts.reason ? { reason: opts.reason } : {}),
    });
  } catch (err) {
    throw explain(err, run.id, commandsFor(opts));
  }
  if (event.type !== 'gate.decided') return 1;
  const resume = commandsFor(opts).resume(run.id);
  io.err.write(`Recorded: gate ${gate} ${event.approved ? 'approved' : 'rejected'} by ${event.by}.\n`);
  io.err.write(event.approved ? `Continue with: ${resume}\n` : `\`${resume}\` now rolls the run back.\n`);
  return 0;
}
