/** `release status [run]`: where a run stands, what it waits for, who holds its lock. */
import { effectOf, isPivot } from '../../actions/action-meta.js';
import { rollbackRefusal } from '../../engine/run-verdicts.js';
import { liveNow } from '../../engine/live-now.js';
import { holderState } from '../../engine/lock.js';
import { isTerminal } from '../../engine/state.js';
import { openRunStore } from '../state-store.js';
import { learnRunSecrets } from '../config-secrets.js';
import { wantsColor, type IO } from '../io.js';
import type { GlobalOptions } from '../program.js';
import { stylesFor } from '../views/styles.js';
import type { commandsFor } from '../context.js';

export interface StatusOptions extends GlobalOptions {
  run: string;
}

export async function runStatus(io: IO, opts: StatusOptions): Promise<number> {
  const store = await openRunStore(io, opts);
  const state = await store.state(opts.run);
  learnRunSecrets(io, state); // an older or damaged journal may hold a secret: mask it on the way out
  const lock = (await store.locks.list()).find((l) => l.runId === state.runId);
  const holder = lock ? holderState(lock) : undefined;
  const crashed = (state.status === 'running' || state.status === 'rolling_back') && holder?.state !== 'alive';

  if (opts.json) {
    const { release, ...rest } = state;
    io.out.write(`${JSON.stringify({ type: 'run.status', ts: new Date().toISOString(), summary: release.summary, ...rest, lock: lock ?? null, crashed, live: liveNow(state, effectOf) })}\n`);
    return 0;
  }
  const c = await stylesFor(wantsColor(io, 'out'));
  const out = (line = '') => io.out.write(`${line}\n`);
  out(c.bold(`Run ${state.runId}: ${state.playbook.name} — ${String(state.release.summary ?? '')}`));
  out(`Status: ${crashed ? c.red('stopped mid-step (process gone): resume it') : state.status}${state.dryRun ? ' (dry run)' : ''}`);
  out(`Started ${state.createdAt} by ${state.createdBy.who} on ${state.createdBy.host}; last event ${state.updatedAt}`);
  if (state.damage) {
    out();
    out(c.red(`DAMAGED: journal line ${state.damage.line}: ${state.damage.problem}.`));
    if (state.damage.text) out(c.red(`  it held: ${state.damage.text}`));
    out(`Nothing will act on this run until a human decides: \`${(await commandsOf(opts)).repair(state.runId)}\` shows the world next to what the journal says.`);
    out('What the journal says up to there:');
  }
  out();
  for (const step of state.steps) {
    const extra = step.error ? c.dim(` — ${step.error.message}`) : step.check ? c.dim(` — ${step.check}`) : '';
    out(`  ${step.id.padEnd(26)} ${step.status}${step.attempts > 1 ? ` (${step.attempts} attempts)` : ''}${extra}`);
  }
  if (state.waitingAt) {
    const gate = state.gates[state.waitingAt.gate];
    out();
    out(c.yellow(`Waiting at gate ${state.waitingAt.gate}: ${gate?.title ?? ''}`));
    for (const i of gate?.instructions ?? []) out(`  - ${i}`);
  }
  for (const g of Object.values(state.gates).filter((g) => g.decision)) {
    out(c.dim(`Gate ${g.gate}: ${g.decision!.approved ? 'approved' : 'rejected'} by ${g.decision!.by} (${g.decision!.source})${g.decision!.reason ? `: ${g.decision!.reason}` : ''}`));
  }
  if (lock) out(c.dim(`Lock ${lock.id} (epoch ${lock.epoch}): held by ${lock.who} on ${lock.host} for ${lock.operation}; ${holder!.why}`));
  else out(c.dim(`Last held by ${state.lastHeldBy.who} on ${state.lastHeldBy.host} (since ${state.lastHeldBy.since}); state in ${store.where}`));
  const live = liveNow(state, effectOf);
  if (live.length && state.status !== 'succeeded') {
    out();
    out(c.bold('Live now:'));
    for (const line of live) out(`  ${line}`);
  }
  if (!isTerminal(state.status) && !state.damage && !state.dryRun && (!holder || holder.state !== 'alive')) {
    const commands = await commandsOf(opts);
    out(`Continue: ${commands.resume(state.runId)}`);
    if (!rollbackRefusal(state, isPivot, commands)) out(`Or undo it: ${commands.rollback(state.runId)}`);
  }
  if (state.finished) {
    out();
    out(state.finished.message);
    if (state.finished.hint) out(state.finished.hint);
  }
  return 0;
}

/** The hints' commands, loaded only for a run that needs one (most shown runs are over). */
async function commandsOf(opts: GlobalOptions): Promise<ReturnType<typeof commandsFor>> {
  return (await import('../context.js')).commandsFor(opts);
}
