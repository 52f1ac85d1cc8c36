import type { DurableEvent, EngineEvent } from './events.js';
import type { RunHandle } from './runs.js';

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type DurableBody = DistributiveOmit<DurableEvent, 'runId' | 'ts'>;
export type TransientBody = DistributiveOmit<Exclude<EngineEvent, DurableEvent>, 'runId' | 'ts'>;

/** Stamps events, appends durable ones to the journal (fsynced) and hands every one to the view. */
export class Recorder {
  constructor(
    private readonly run: RunHandle,
    private readonly emit: (event: EngineEvent) => void,
  ) {}

  record(body: DurableBody): DurableEvent {
    const event = { ...body, runId: this.run.id, ts: new Date().toISOString() } as DurableEvent;
    this.emit(this.run.journal.append(event)); // as journaled: secrets masked before any view encodes it
    return event;
  }

  transient(body: TransientBody): void {
    this.emit({ ...body, runId: this.run.id, ts: new Date().toISOString() } as EngineEvent);
  }
}
