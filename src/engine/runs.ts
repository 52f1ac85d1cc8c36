/**
 * Where runs live: `<state-dir>/runs/<run-id>/` holds the journal and anything a run keeps;
 * `<state-dir>/heads/<run-id>.json` holds each journal's head, outside the run's directory so a
 * restored older copy of that directory cannot match it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ReleaseError, usageError } from '../errors.js';
import { Journal, type JournalRead } from './journal.js';
import { LockStore, type RunPhase } from './lock.js';
import { isTerminal, reduceJournal, type RunState } from './state.js';

export interface RunHandle {
  id: string;
  dir: string;
  journal: Journal;
}

export class RunStore {
  readonly locks: LockStore;

  constructor(
    readonly stateDir: string,
    private readonly redact?: (text: string) => string,
  ) {
    this.locks = new LockStore(join(stateDir, 'locks'), (runId) => this.phase(runId));
  }

  /** The handle of a new run; its directory and journal appear with its first event. */
  create(id = newRunId()): RunHandle {
    const dir = join(this.stateDir, 'runs', id);
    mkdirSync(join(this.stateDir, 'runs'), { recursive: true });
    mkdirSync(dir); // never reuse a run's directory: EEXIST stops the start before any event
    return this.handle(id);
  }

  /** Removes a run that never started (no `run.created`): nothing of it happened. */
  discard(id: string): void {
    rmSync(join(this.stateDir, 'runs', id), { recursive: true, force: true });
    rmSync(join(this.stateDir, 'heads', `${id}.json`), { force: true });
  }

  /** Opens a run by id, by unique prefix, or `latest`. */
  open(ref: string): RunHandle {
    return this.handle(this.resolve(ref));
  }

  /** The run's state; a damaged journal gives a `damaged` state with what could be read. */
  state(ref: string): RunState {
    const handle = this.open(ref);
    return stateOf(handle.id, handle.journal.read());
  }

  /** Every run with a readable start, oldest first (damaged ones included, as `damaged`). */
  list(): RunState[] {
    return this.ids().flatMap((id) => {
      try {
        return [stateOf(id, this.handle(id).journal.read())];
      } catch {
        return [];
      }
    });
  }

  /** Never started (no `run.created`), going, or over, as the journal says. */
  phase(runId: string): RunPhase {
    let read: JournalRead;
    try {
      read = this.handle(runId).journal.read();
    } catch {
      return 'absent';
    }
    if (read.events[0]?.type !== 'run.created') return read.damage ? 'active' : 'absent';
    const state = reduceJournal(read);
    return isTerminal(state.status) ? 'ended' : 'active';
  }

  private startedAt(id: string): string {
    try {
      return this.handle(id).journal.read().events[0]?.ts ?? '';
    } catch {
      return '';
    }
  }

  private handle(id: string): RunHandle {
    const dir = join(this.stateDir, 'runs', id);
    return { id, dir, journal: new Journal(join(dir, 'journal.ndjson'), join(this.stateDir, 'heads', `${id}.json`), this.redact) };
  }

  private ids(): string[] {
    const dir = join(this.stateDir, 'runs');
    if (!existsSync(dir)) return [];
    return readdirSync(dir).sort();
  }

  private resolve(ref: string): string {
    const ids = this.ids();
    if (ref === 'latest') {
      const last = ids.at(-1);
      if (!last) throw usageError(`No runs in ${this.stateDir}.`, 'Start one with `release flip`.');
      // Ids sort by second; within one second the random suffix says nothing, the start time does.
      const sameSecond = ids.filter((id) => id.slice(0, 15) === last.slice(0, 15));
      return sameSecond.length > 1 ? sameSecond.reduce((a, b) => (this.startedAt(b) > this.startedAt(a) ? b : a)) : last;
    }
    if (ids.includes(ref)) return ref;
    const matches = ids.filter((id) => id.startsWith(ref));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw usageError(`Run id "${ref}" is ambiguous: ${matches.join(', ')}.`);
    throw usageError(`No run "${ref}" in ${this.stateDir}.`, 'List runs with `release runs` (and check --state-dir).');
  }
}

/** A journal read as a run, or a clear error when there is no run to speak of. */
export function stateOf(runId: string, read: JournalRead): RunState {
  if (read.events[0]?.type === 'run.created') return reduceJournal(read);
  if (read.damage) {
    throw new ReleaseError('needs-human', `Run ${runId} is damaged from its first line: line ${read.damage.line}: ${read.damage.problem}.`, {
      details: read.damage.text ? [`line ${read.damage.line} held: ${read.damage.text}`] : [],
      hint: 'Nothing can be read of it. Check the world by hand; the journal file is kept as it is.',
    });
  }
  throw new ReleaseError('usage', `Run ${runId} never started: it has no run.created in its journal, so it changed nothing.`, {
    hint: 'Start a new flip; its lock, if one is left, is cleared by the next flip or resume.',
  });
}

/** Sortable by start time, unique: 20261121-102233-3fa9c2d1. */
export function newRunId(now = new Date()): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  // Four random bytes: two flips of different apps started in the same second never share a journal.
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}
