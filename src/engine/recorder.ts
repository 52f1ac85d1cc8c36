import type { DurableEvent, EngineEvent } from './events.js';
import type { JournalPort } from './state-backend.js';

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type DurableBody = DistributiveOmit<DurableEvent, 'runId' | 'ts'>;
export type TransientBody = DistributiveOmit<Exclude<EngineEvent, DurableEvent>, 'runId' | 'ts'>;

/** Stamps events, appends durable ones to the journal (fsynced) and hands every one to the view. */
export class Recorder {
  constructor(
    private readonly run: { id: string; journal: JournalPort },
    private readonly emit: (event: EngineEvent) => void,
  ) {}

  async record(body: DurableBody): Promise<DurableEvent> {
    const event = { ...body, runId: this.run.id, ts: new Date().toISOString() } as DurableEvent;
    const journaled = await this.run.journal.append(event);
    this.emit(journaled); // as journaled: secrets masked before any view encodes it
    return journaled;
  }

  transient(body: TransientBody): void {
    this.emit({ ...body, runId: this.run.id, ts: new Date().toISOString() } as EngineEvent);
  }
}
