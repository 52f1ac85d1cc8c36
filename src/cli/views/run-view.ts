/** How a run is shown: people read stderr; `--json` adds NDJSON on stdout. */
import type { EngineEvent } from '../../engine/events.js';
import type { RunOutcome } from '../../engine/executor.js';
import type { RunSummary } from '../../engine/timeline.js';
import type { RunState } from '../../engine/state.js';
import { isCI, wantsColor, type IO } from '../io.js';
import { HumanRunView } from './human-view.js';
import { stylesFor, type Styles } from './styles.js';
import { JsonRunView } from './json-view.js';

export interface RunView {
  /** Shows where an existing run stands before its new events arrive (resume, rollback). */
  begin(state: RunState): void;
  event(e: EngineEvent): void;
  outcome(outcome: RunOutcome, summary?: RunSummary): void;
  close(): void;
}

export async function createRunView(io: IO, opts: { json: boolean }): Promise<RunView> {
  const view = viewFor(io, opts, await stylesFor(wantsColor(io)));
  return io.github ? io.github.view(view) : view;
}

function viewFor(io: IO, opts: { json: boolean }, styles: Styles): RunView {
  // Chalk only when colour is wanted (styles.ts): a run to a pipe or in CI never loads it.
  const human = new HumanRunView(io, styles, io.stderrIsTTY && !isCI(io.env) && io.env.TERM !== 'dumb');
  if (!opts.json) return human;
  const json = new JsonRunView(io);
  return {
    begin: (state) => human.begin(state),
    event: (e) => (human.event(e), json.event(e)),
    outcome: (o, s) => (human.outcome(o, s), json.outcome(o, s)),
    close: () => (human.close(), json.close()),
  };
}
