/**
 * The views' copy of the run's events (the terminal, `--json`, Slack), handed over once the run
 * waits (a call in flight, a timer, a person) instead of between a journal append and the call
 * it announces: drawing an event is never on the path from its durable line to the next effect.
 * The journal is written first either way; the views only see it a moment later, in order.
 * `flush` hands over what is left at once: before a prompt draws, and when the executor returns.
 */
import type { EngineEvent } from './events.js';

export class DisplayQueue {
  private pending: EngineEvent[] = [];
  private scheduled = false;
  /** A view that threw while the run was waiting: thrown again at the next flush, not lost. */
  private failure: { err: unknown } | undefined;

  constructor(private readonly emit: (event: EngineEvent) => void) {}

  readonly push = (event: EngineEvent): void => {
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      try {
        this.handOver();
      } catch (err) {
        this.failure ??= { err };
      }
    });
  };

  flush(): void {
    this.handOver();
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure.err;
  }

  private handOver(): void {
    while (this.pending.length) this.emit(this.pending.shift()!);
  }
}
