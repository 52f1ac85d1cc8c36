/** `release log <run>`: the journal, as the events happened, with the run's secrets masked. */
import { openRunStore } from '../state-store.js';
import { shownJournal } from '../config-secrets.js';
import { wantsColor, type IO } from '../io.js';
import type { GlobalOptions } from '../program.js';
import { HumanRunView } from '../views/human-view.js';
import { stylesFor } from '../views/styles.js';

export interface LogOptions extends GlobalOptions {
  run: string;
}

export async function runLog(io: IO, opts: LogOptions): Promise<number> {
  const store = await openRunStore(io, opts);
  const { events, damage, torn } = shownJournal(io, await (await store.journalOf(opts.run)).journal.read());
  if (opts.json) {
    for (const e of events) io.out.write(`${JSON.stringify(e)}\n`);
    if (damage) io.out.write(`${JSON.stringify({ type: 'journal.damaged', runId: events[0]?.runId ?? null, ts: new Date().toISOString(), ...damage })}\n`);
    return 0;
  }
  const view = new HumanRunView(io, await stylesFor(wantsColor(io, 'out')), false);
  for (const e of events) {
    const lines = e.type === 'run.finished' ? [e.message, ...(e.hint ? [e.hint] : [])] : view.describe(e);
    for (const line of lines) io.out.write(`${e.ts.slice(11, 23)} ${line}\n`);
  }
  if (torn) io.out.write(`(line ${torn.line} was cut short by a crash: ${torn.type ?? 'an event'}${torn.step ? ` of ${torn.step}` : ''})\n`);
  if (damage) io.out.write(`DAMAGED at line ${damage.line}: ${damage.problem}.${damage.text ? ` It held: ${damage.text}` : ''}\nNothing after it can be trusted; \`release repair\` records a human's decision.\n`);
  return 0;
}
