/**
 * The `postgres` state backend: runs, journals, kept files and locks as rows, so a run can start
 * on one machine and be signed off and resumed on others. Opened before anything else a command
 * does: a database out of reach (or a schema this release cannot use) stops the command before
 * any lock is taken or any run created.
 */
import { randomBytes } from 'node:crypto';
import { ReleaseError } from '../../../errors.js';
import type { JournalPort, StateBackend } from '../../state-backend.js';
import { Connection, guarded, StateUnreachableError, unreachableAtStart } from './connection.js';
import { PostgresJournal } from './journal.js';
import { RunFiles } from './kept-files.js';
import { PostgresLockRecords } from './locks.js';
import type { PostgresOptions } from './options.js';
import { applyMigrations, schemaStatus, type MigrateResult, type SchemaStatus } from './schema.js';

export class PostgresBackend implements StateBackend {
  readonly kind = 'postgres' as const;
  readonly where: string;
  readonly locks: PostgresLockRecords;
  private readonly files = new Map<string, RunFiles>();

  constructor(private readonly db: Connection) {
    this.where = `postgres ${db.target}`;
    this.locks = new PostgresLockRecords(db);
  }

  async runIds(): Promise<string[]> {
    return guarded(async () => (await this.db.query('SELECT id FROM release_runs ORDER BY id')).rows.map((row) => row.id as string));
  }

  async createRun(runId: string): Promise<void> {
    // Marks this create, so an attempt whose answer was lost is told apart from a clash.
    const creator = randomBytes(8).toString('hex');
    await guarded(async () => {
      const inserted = await this.db.transaction(async (query) => {
        const result = await query('INSERT INTO release_runs (id, creator) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [runId, creator]);
        if (result.rowCount) return true;
        const existing = await query('SELECT creator FROM release_runs WHERE id = $1', [runId]);
        // Ours: an earlier attempt committed and its answer was lost.
        return existing.rows[0]?.creator === creator;
      });
      if (!inserted) throw Object.assign(new Error(`run ${runId} already exists in ${this.where}`), { code: 'EEXIST' });
    });
  }

  async hasRun(runId: string): Promise<boolean> {
    return guarded(async () => Boolean((await this.db.query('SELECT 1 FROM release_runs WHERE id = $1', [runId])).rowCount));
  }

  journal(runId: string, redact?: (text: string) => string): JournalPort {
    return new PostgresJournal(this.db, runId, `${this.where} run ${runId}`, this.filesOf(runId), redact);
  }

  async runDir(runId: string): Promise<string> {
    return guarded(() => this.db.transaction((query) => this.filesOf(runId).open(query)));
  }

  async discardRun(runId: string): Promise<void> {
    await guarded(() => this.db.query('DELETE FROM release_runs WHERE id = $1', [runId]));
    this.files.get(runId)?.remove();
    this.files.delete(runId);
  }

  async close(): Promise<void> {
    for (const files of this.files.values()) files.remove();
    this.files.clear();
    await this.db.close();
  }

  private filesOf(runId: string): RunFiles {
    let files = this.files.get(runId);
    if (!files) this.files.set(runId, (files = new RunFiles(runId)));
    return files;
  }
}

/**
 * Connects, checks the schema (and applies pending migrations unless `autoMigrate: false`), and
 * returns the backend. Throws a ReleaseError naming host:port/database when the database cannot
 * be reached: nothing has happened then.
 */
export async function openPostgresBackend(options: PostgresOptions): Promise<StateBackend> {
  const db = new Connection(options);
  try {
    const status = await atStart(db, () => db.probe(schemaStatus));
    refuseAhead(db.target, status);
    if (status.pending.length) {
      if (options.autoMigrate === false) {
        throw new ReleaseError('usage', `The state database ${db.target} has schema version ${status.version}; this release needs ${status.latest}.`, { hint: 'Run `release state migrate`, then the command again. Nothing was started.' });
      }
      await atStart(db, () => db.transaction(applyMigrations, { retryForMs: 0 }));
    }
    return new PostgresBackend(db);
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** `release state migrate`: applies what is pending (nothing when up to date) and says what it did. */
export async function migrate(options: PostgresOptions): Promise<MigrateResult & { target: string }> {
  const db = new Connection(options);
  try {
    const status = await atStart(db, () => db.probe(schemaStatus));
    refuseAhead(db.target, status);
    const result = await atStart(db, () => db.transaction(applyMigrations, { retryForMs: 0 }));
    return { ...result, target: db.target };
  } finally {
    await db.close();
  }
}

/** For `release doctor`: reachable, and where the schema stands. Read-only. */
export async function postgresStatus(options: PostgresOptions): Promise<SchemaStatus & { target: string }> {
  const db = new Connection(options);
  try {
    return { ...(await atStart(db, () => db.probe(schemaStatus))), target: db.target };
  } finally {
    await db.close();
  }
}

/** One try at start: a database that is down now is said at once, with what to do. */
async function atStart<T>(db: Connection, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (caught) {
    if (caught instanceof ReleaseError) throw caught;
    const err = caught instanceof StateUnreachableError ? caught.cause : caught;
    const code = (err as { code?: unknown })?.code;
    // A statement's error (permissions, say) is not the database being away: say it as it is.
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('08') && !code.startsWith('57') && !code.startsWith('28') && code !== '3D000') {
      throw new ReleaseError('error', `The state database ${db.target} refused the schema check: ${(err as Error).message} (${code}).`, {
        hint: 'The database user needs to create tables in its schema (or run `release state migrate` as one that can). Nothing was started.',
        cause: err,
      });
    }
    throw unreachableAtStart(db.target, err);
  }
}

function refuseAhead(target: string, status: SchemaStatus): void {
  if (!status.ahead) return;
  throw new ReleaseError('usage', `The state database ${target} has schema version ${status.version}, newer than this release knows (${status.latest}).`, {
    hint: 'A newer release of this tool migrated it: upgrade `release` on this machine. Nothing was started.',
  });
}
