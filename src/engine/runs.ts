/** Where runs live: `<state-dir>/runs/<run-id>/` holds the journal and anything a run keeps. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { Journal, readJournal } from './journal.js';
import { LockStore } from './lock.js';
import { reduceRun, type RunState } from './state.js';

export interface RunHandle {
  id: string;
  dir: string;
  journal: Journal;
}

export class RunStore {
  readonly locks: LockStore;

  constructor(
    readonly stateDir: string,
    private readonly redact?: (line: string) => string,
  ) {
    this.locks = new LockStore(join(stateDir, 'locks'));
  }

  create(id = newRunId()): RunHandle {
    const dir = join(this.stateDir, 'runs', id);
    mkdirSync(dir, { recursive: true });
    return { id, dir, journal: new Journal(join(dir, 'journal.ndjson'), this.redact) };
  }

  /** Opens a run by id, by unique prefix, or `latest`. */
  open(ref: string): RunHandle {
    const id = this.resolve(ref);
    const dir = join(this.stateDir, 'runs', id);
    return { id, dir, journal: new Journal(join(dir, 'journal.ndjson'), this.redact) };
  }

  state(ref: string): RunState {
    const handle = this.open(ref);
    return reduceRun(handle.journal.read());
  }

  /** Every run with a readable journal, oldest first. */
  list(): RunState[] {
    return this.ids().flatMap((id) => {
      const events = readJournal(join(this.stateDir, 'runs', id, 'journal.ndjson'));
      try {
        return [reduceRun(events)];
      } catch {
        return [];
      }
    });
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
      return last;
    }
    if (ids.includes(ref)) return ref;
    const matches = ids.filter((id) => id.startsWith(ref));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw usageError(`Run id "${ref}" is ambiguous: ${matches.join(', ')}.`);
    throw usageError(`No run "${ref}" in ${this.stateDir}.`, 'List runs with `release runs` (and check --state-dir).');
  }
}

/** Sortable by start time, unique enough for one team: 20261121-102233-3fa9. */
export function newRunId(now = new Date()): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}
