/** `release report <run>`: Markdown with a Mermaid gantt chart, ready for a CI step summary. */
import { actionFor } from '../../actions/registry.js';
import { reduceJournal } from '../../engine/state.js';
import { summarize } from '../../engine/timeline.js';
import { openRunStore } from '../state-store.js';
import { shownJournal } from '../existing-run.js';
import type { IO } from '../io.js';
import type { GlobalOptions } from '../program.js';
import { markdownReport } from '../views/report.js';

export interface ReportOptions extends GlobalOptions {
  run: string;
}

export async function runReport(io: IO, opts: ReportOptions): Promise<number> {
  // Masked before the timeline and the Markdown are made: the report goes to CI step summaries.
  const read = shownJournal(io, await (await (await openRunStore(io, opts)).journalOf(opts.run)).journal.read());
  const events = read.events;
  const state = reduceJournal(read);
  const summary = summarize(events, (uses) => actionFor(uses).meta.effect);
  const damage = state.damage ? `\n> **Damaged journal** at line ${state.damage.line}: ${state.damage.problem}. This report shows only what precedes it.\n` : '';
  const markdown = markdownReport(state, { ...summary, status: state.status }) + damage;
  if (opts.json) io.out.write(`${JSON.stringify({ type: 'run.report', runId: state.runId, ts: new Date().toISOString(), summary, markdown })}\n`);
  else io.out.write(markdown);
  return 0;
}
