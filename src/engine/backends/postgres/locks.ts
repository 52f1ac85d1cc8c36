/**
 * The apps' lock records as rows (schema.ts says why rows with a lease and an epoch, not session
 * advisory locks). A change runs under the app's transaction-scoped advisory lock, taken
 * exclusively: changes of one app's lock are serialized, and appends, which check their fence
 * under the same lock taken shared, never interleave with one.
 */
import type { LockInfo } from '../../lock.js';
import type { LockChange, LockRecords } from '../../state-backend.js';
import { guarded, type Connection, type Query } from './connection.js';
import { LOCK_NAMESPACE } from './schema.js';

export class PostgresLockRecords implements LockRecords {
  constructor(private readonly db: Connection) {}

  async change<T>(app: string, decide: LockChange<T>): Promise<T> {
    // `decide` is pure: a retry after a lost connection runs it again on the lock as it is then.
    return guarded(() => this.db.transaction(async (query) => {
      await query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NAMESPACE, `lock:${app}`]);
      const { next, result } = decide(await readLock(query, app));
      if (next === null) await query('DELETE FROM release_locks WHERE app = $1', [app]);
      else if (next) {
        if (next.app !== app) throw new Error(`a lock for ${next.app} cannot be stored as ${app}'s`);
        await query(
          `INSERT INTO release_locks (app, lock_id, run_id, epoch, info) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (app) DO UPDATE SET lock_id = excluded.lock_id, run_id = excluded.run_id, epoch = excluded.epoch, info = excluded.info, changed_at = now()`,
          [app, next.id, next.runId, next.epoch, JSON.stringify(next)],
        );
      }
      return result;
    }));
  }

  async read(app: string): Promise<LockInfo | undefined> {
    return guarded(() => readLock((text, values) => this.db.query(text, values), app));
  }

  async list(): Promise<LockInfo[]> {
    const result = await guarded(() => this.db.query('SELECT info FROM release_locks ORDER BY app'));
    return result.rows.map((row) => row.info as LockInfo);
  }
}

/** The stored lock of `app` (inside the caller's transaction when `query` is one). */
export async function readLock(query: Query, app: string): Promise<LockInfo | undefined> {
  const result = await query('SELECT info FROM release_locks WHERE app = $1', [app]);
  return result.rows[0]?.info as LockInfo | undefined;
}
