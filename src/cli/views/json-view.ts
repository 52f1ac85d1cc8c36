import type { EngineEvent } from '../../engine/events.js';
import type { RunOutcome } from '../../engine/executor.js';
import type { RunSummary } from '../../engine/timeline.js';
import type { IO } from '../io.js';
import type { RunView } from './run-view.js';

/** `--json`: one event per line on stdout, nothing else there. Each has type, runId, ts. */
export class JsonRunView implements RunView {
  private runId = '';

  constructor(private readonly io: IO) {}

  begin(): void {}

  event(e: EngineEvent): void {
    this.runId = e.runId;
    this.io.out.write(`${JSON.stringify(e)}\n`);
  }

  outcome(outcome: RunOutcome, summary?: RunSummary): void {
    const ts = new Date().toISOString();
    if (summary) this.io.out.write(`${JSON.stringify({ type: 'run.summary', runId: this.runId, ts, summary })}\n`);
    this.io.out.write(`${JSON.stringify({ type: 'run.exit', runId: this.runId, ts, status: outcome.status, exit: outcome.exit, message: outcome.message, hint: outcome.hint, ...(outcome.live ? { live: outcome.live } : {}) })}\n`);
  }

  close(): void {}
}
