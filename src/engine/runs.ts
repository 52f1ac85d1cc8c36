/**
 * Runs in a state backend (backends/local.ts, backends/postgres/): find them by id, prefix or
 * `latest`, read their state, and open one to act on. One journal object per run and process,
 * so every read after the first costs only what was appended since.
 */
import { randomBytes } from 'node:crypto';
import { ReleaseError, usageError } from '../errors.js';
import type { JournalRead } from './journal.js';
import { LockStore, type RunPhase } from './lock.js';
import type { JournalPort, StateBackend } from './state-backend.js';
import { isTerminal, reduceJournal, RunView, type RunState } from './state.js';

export interface RunHandle {
  id: string;
  /** A local directory for what the run keeps beside its journal (the sandbox world, logs). */
  dir: string;
  journal: JournalPort;
}

export class RunStore {
  readonly locks: LockStore;
  private readonly journals = new Map<string, JournalPort>();
  private readonly views = new Map<string, RunView>();

  constructor(
    readonly backend: StateBackend,
    private redact: (text: string) => string = (text) => text,
  ) {
    this.locks = new LockStore(backend.locks, (runId) => this.phase(runId));
  }

  /**
   * Masks these secrets in every event appended from now on, also through journals already
   * opened: a run's secrets are known only once its journaled config has been read.
   */
  maskWith(redact: (text: string) => string): void {
    this.redact = redact;
  }

  /** For messages: where runs live (a directory, or the database). */
  get where(): string {
    return this.backend.where;
  }

  /** The handle of a new run; its journal starts with its first event. */
  async create(id = newRunId()): Promise<RunHandle> {
    await this.backend.createRun(id);
    return this.openId(id);
  }

  /** Removes a run that never started (no `run.created`): nothing of it happened. */
  async discard(id: string): Promise<void> {
    this.journals.delete(id);
    this.views.delete(id);
    await this.backend.discardRun(id);
  }

  /** Opens a run by id, by unique prefix, or `latest`. */
  async open(ref: string): Promise<RunHandle> {
    return this.openId(await this.resolve(ref));
  }

  /** A run's journal, without its working directory (for reading). */
  async journalOf(ref: string): Promise<{ id: string; journal: JournalPort }> {
    const id = await this.resolve(ref);
    return { id, journal: this.journal(id) };
  }

  /** The run's state; a damaged journal gives a `damaged` state with what could be read. */
  async state(ref: string): Promise<RunState> {
    return this.stateOfRun(await this.resolve(ref));
  }

  /**
   * The run now, from its view in this process: only what was appended since the last look is
   * read and applied, so the journal is verified and reduced once however often this is asked.
   */
  async stateOfRun(id: string): Promise<RunState> {
    const view = this.viewOf(id);
    const read = await this.journal(id).readSince(view.position);
    if (view.position === 0) assertStarted(id, read);
    view.advance(read);
    return view.current();
  }

  /** The run as this process has read it, shared by everyone who acts on it here. */
  viewOf(id: string): RunView {
    let view = this.views.get(id);
    if (!view) {
      view = new RunView();
      this.views.set(id, view);
    }
    return view;
  }

  /** Every run with a readable start, oldest first (damaged ones included, as `damaged`). */
  async list(): Promise<RunState[]> {
    const states: RunState[] = [];
    for (const id of await this.backend.runIds()) {
      try {
        states.push(await this.stateOfRun(id));
      } catch {
        // never started: not a run
      }
    }
    return states;
  }

  /** Never started (no `run.created`), going, or over, as the journal says. */
  async phase(runId: string): Promise<RunPhase> {
    let read: JournalRead;
    try {
      if (!(await this.backend.hasRun(runId))) return 'absent';
      read = await this.journal(runId).read();
    } catch {
      return 'absent';
    }
    if (read.events[0]?.type !== 'run.created') return read.damage ? 'active' : 'absent';
    const state = reduceJournal(read);
    return isTerminal(state.status) ? 'ended' : 'active';
  }

  async close(): Promise<void> {
    await this.backend.close();
  }

  private async startedAt(id: string): Promise<string> {
    try {
      return (await this.journal(id).readSince(0)).events[0]?.ts ?? '';
    } catch {
      return '';
    }
  }

  /** A run by its exact id (as its own state names it): the runs are not listed to find it. */
  async openId(id: string): Promise<RunHandle> {
    return { id, dir: await this.backend.runDir(id), journal: this.journal(id) };
  }

  private journal(id: string): JournalPort {
    let journal = this.journals.get(id);
    if (!journal) {
      journal = this.backend.journal(id, (text) => this.redact(text));
      this.journals.set(id, journal);
    }
    return journal;
  }

  private async resolve(ref: string): Promise<string> {
    const ids = await this.backend.runIds();
    if (ref === 'latest') {
      const last = ids.at(-1);
      if (!last) throw usageError(`No runs in ${this.where}.`, 'Start one with `release flip`.');
      // Ids sort by second; within one second the random suffix says nothing, the start time does.
      const sameSecond = ids.filter((id) => id.slice(0, 15) === last.slice(0, 15));
      if (sameSecond.length === 1) return last;
      let latest = last;
      let latestAt = '';
      for (const id of sameSecond) {
        const at = await this.startedAt(id);
        if (at > latestAt) [latest, latestAt] = [id, at];
      }
      return latest;
    }
    if (ids.includes(ref)) return ref;
    const matches = ids.filter((id) => id.startsWith(ref));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw usageError(`Run id "${ref}" is ambiguous: ${matches.join(', ')}.`);
    throw usageError(`No run "${ref}" in ${this.where}.`, 'List runs with `release runs` (and check --state-dir or RELEASE_STATE_URL).');
  }
}

/** Throws, saying why, unless the journal starts with `run.created`. */
export function assertStarted(runId: string, read: JournalRead): void {
  if (read.events[0]?.type === 'run.created') return;
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
