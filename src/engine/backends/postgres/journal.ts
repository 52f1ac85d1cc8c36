/**
 * A run's journal as rows: one sealed line per (run, seq), sealed and verified by the engine's
 * own rules (journal-line.ts, `checkNext`), exactly as the local file's lines are. The run's row
 * carries the head (last seq and checksum), moved in the same transaction as each line, so a
 * deleted last row reads as damage, as a shortened file does.
 *
 * An append is one transaction: the fence is checked under a shared advisory lock (a lock change
 * holds it exclusively), the line is inserted at the next seq or not at all (the primary key is
 * the compare-and-set: another writer's line at that seq is read, verified and sealed onto), and
 * the run's kept files are stored with it. A lost connection is waited for; if the COMMIT went
 * out but its answer did not come back, the next attempt finds our own line, byte for byte, at
 * that seq: that is success, not a conflict, and the event is never journaled twice.
 */
import { crashPoint } from '../../crash-points.js';
import type { DurableEvent } from '../../events.js';
import { checkNext, headMismatch, JournalDamagedError, JournalWriteError, type JournalDamage, type JournalRead } from '../../journal.js';
import { GENESIS, sealLine, type SealedLine } from '../../journal-line.js';
import { fenceHolds, LockLostError, type LockInfo } from '../../lock.js';
import type { Fence, JournalPort } from '../../state-backend.js';
import { mapStrings } from '../../../util/map-strings.js';
import { guarded, isConnectionError, reason, StateUnreachableError, type Connection, type Query } from './connection.js';
import type { RunFiles } from './kept-files.js';
import { readLock } from './locks.js';
import { LOCK_NAMESPACE } from './schema.js';

interface Verified {
  events: DurableEvent[];
  /** sums[i] is the checksum of event seq i+1. */
  sums: string[];
  /** The last verified row as stored: re-checked before the cache is trusted. */
  lastLine?: string;
  damage?: JournalDamage;
}

interface Row {
  seq: number;
  line: string;
}

/** Another writer keeps winning the race for the next seq: give up rather than spin. */
const MAX_CONFLICTS = 50;

export class PostgresJournal implements JournalPort {
  fence: Fence | undefined;
  private cache: Verified = empty();
  /** This handle's operations, one at a time: they share the cache of verified rows. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Connection,
    readonly runId: string,
    readonly where: string,
    private readonly files: RunFiles,
    private readonly redact: (text: string) => string = (t) => t,
  ) {}

  append(event: DurableEvent): Promise<DurableEvent> {
    return this.serial(() => this.appendNow(event));
  }

  read(): Promise<JournalRead> {
    return this.readSince(0);
  }

  readSince(seen: number): Promise<JournalRead> {
    return this.serial(() => this.readSinceNow(seen));
  }

  setAside(label: string): Promise<string> {
    return this.serial(() => this.setAsideNow(label));
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  private async appendNow(event: DurableEvent): Promise<DurableEvent> {
    const masked = mapStrings(event, this.redact);
    // What an attempt sent: a later attempt checks whether it was stored after all.
    let sent: SealedLine | undefined;
    try {
      const outcome = await this.db.transaction(async (query) => {
        const current = this.fence ? await lockUnderFence(query, this.fence) : undefined;
        for (let conflicts = 0; ; conflicts++) {
          const fresh = await this.catchUp(query);
          if (this.cache.damage) throw new JournalDamagedError(this.where, this.cache.damage);
          if (sent && fresh.some((row) => row.seq === sent!.seq && row.line === sent!.text)) return { sealed: sent, files: [], stored: 'before' as const };
          if (this.fence && !fenceHolds(current, this.fence)) throw new LockLostError(this.fence, current);
          if (conflicts >= MAX_CONFLICTS) throw Object.assign(new Error(`${conflicts} other writers appended first`), { code: 'EBUSY' });
          const sealed = sealLine(masked, this.cache.sums.length + 1, this.cache.sums.at(-1) ?? GENESIS);
          sent = sealed;
          const inserted = await query('INSERT INTO release_journal (run_id, seq, line) VALUES ($1, $2, $3) ON CONFLICT (run_id, seq) DO NOTHING', [this.runId, sealed.seq, sealed.text]);
          if (inserted.rowCount === 0) continue; // seq taken by another writer: read it, seal after it
          const moved = await query('UPDATE release_runs SET head_seq = $2, head_sum = $3 WHERE id = $1', [this.runId, sealed.seq, sealed.sum]);
          if (moved.rowCount === 0) throw Object.assign(new Error(`run ${this.runId} does not exist in the state database`), { code: 'ENOENT' });
          const files = this.files.changed();
          await this.files.store(query, files);
          crashPoint(`row-inserted:${masked.type}:${'step' in masked ? masked.step : ''}`);
          return { sealed, files, stored: 'now' as const };
        }
      });
      this.files.committed(outcome.files);
      // Found stored 'before': the catch-up already verified it. Sealed 'now' onto the verified rows: known exactly.
      if (outcome.stored === 'now') {
        const problem = checkNext(outcome.sealed.text, this.cache);
        if (problem) throw new Error(`a sealed line did not verify: ${problem}`);
        this.cache.lastLine = outcome.sealed.text;
      }
      return this.cache.events[outcome.sealed.seq - 1]!;
    } catch (err) {
      throw asWriteError(err, this.where);
    }
  }

  private async readSinceNow(seen: number): Promise<JournalRead> {
    return guarded(async () => {
      // The head first: an append moves it with its line, so lines read after it can only be more.
      const head = await this.db.query('SELECT head_seq, head_sum FROM release_runs WHERE id = $1', [this.runId]);
      await this.catchUp((text, values) => this.db.query(text, values));
      const events = this.cache.events.slice(seen);
      const damage = this.cache.damage ?? headDamage(this.cache, head.rows[0] as { head_seq: number; head_sum: string | null } | undefined, this.where);
      return damage ? { events, damage } : { events };
    });
  }

  /** Keeps the whole damaged journal aside and leaves its verified prefix, with a head to match. */
  private async setAsideNow(label: string): Promise<string> {
    try {
      return await guarded(() => this.db.transaction(async (query) => {
        // Appends move the head on this row: they wait until the journal is cut back.
        await query('SELECT 1 FROM release_runs WHERE id = $1 FOR UPDATE', [this.runId]);
        this.cache = empty();
        await this.catchUp(query);
        const keep = this.cache.sums.length;
        await query('INSERT INTO release_journal_aside (run_id, label, seq, line) SELECT run_id, $2, seq, line FROM release_journal WHERE run_id = $1', [this.runId, label]);
        await query('DELETE FROM release_journal WHERE run_id = $1 AND seq > $2', [this.runId, keep]);
        await query('UPDATE release_runs SET head_seq = $2, head_sum = $3 WHERE id = $1', [this.runId, keep, this.cache.sums.at(-1) ?? null]);
        this.cache = empty();
        return `${this.where} (set aside as ${label})`;
      }));
    } finally {
      this.cache = empty();
    }
  }

  /**
   * Verifies the rows after the cached ones (the last cached row is read again: a journal cut
   * and rewritten since is read anew). Returns the rows it read, for the lost-answer check.
   */
  private async catchUp(query: Query): Promise<Row[]> {
    if (this.cache.damage) this.cache = empty();
    const known = this.cache.sums.length;
    const result = await query('SELECT seq, line FROM release_journal WHERE run_id = $1 AND seq >= $2 ORDER BY seq', [this.runId, Math.max(known, 1)]);
    let rows = result.rows as Row[];
    if (known > 0) {
      if (rows[0]?.seq !== known || rows[0].line !== this.cache.lastLine) {
        this.cache = empty();
        return this.catchUp(query);
      }
      rows = rows.slice(1);
    }
    for (const row of rows) {
      const problem = checkNext(row.line, this.cache);
      if (problem) {
        this.cache.damage = { line: this.cache.sums.length + 1, problem, text: row.line.slice(0, 300) };
        break;
      }
      this.cache.lastLine = row.line;
    }
    return rows;
  }
}

/**
 * The fence, under the app's lock-change mutex held shared: no lock change can land between this
 * check and the commit of the line it guards. Returns the lock as it stands.
 */
async function lockUnderFence(query: Query, fence: Fence): Promise<LockInfo | undefined> {
  await query('SELECT pg_advisory_xact_lock_shared($1, hashtext($2))', [LOCK_NAMESPACE, `lock:${fence.app}`]);
  return readLock(query, fence.app);
}

/** The head says how far the journal was written: fewer rows than that is a shortened journal. */
function headDamage(verified: Verified, head: { head_seq: number; head_sum: string | null } | undefined, where: string): JournalDamage | undefined {
  if (!head) return undefined;
  return headMismatch(verified.sums, { seq: head.head_seq, sum: head.head_sum ?? '' }, where, 'rows were deleted');
}

function empty(): Verified {
  return { events: [], sums: [] };
}

/** Anything but the engine's own verdicts is a failed append: the run stops before the effect. */
function asWriteError(err: unknown, where: string): unknown {
  if (err instanceof JournalWriteError || err instanceof JournalDamagedError || err instanceof LockLostError) return err;
  if (err instanceof StateUnreachableError) {
    // `where` names the database already: say only what happened to it.
    const said = new Error(`the database did not answer for ${Math.max(1, Math.round(err.waitedMs / 1000))} s (${reason(err.cause)})`, { cause: err });
    return new JournalWriteError(where, 'EUNREACHABLE', said);
  }
  const code = (err as { code?: unknown })?.code;
  if (isConnectionError(err) || typeof code === 'string') return new JournalWriteError(where, typeof code === 'string' ? code : 'EIO', err);
  return err;
}

