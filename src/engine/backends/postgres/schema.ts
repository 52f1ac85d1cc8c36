/**
 * The state schema, created and upgraded by the tool: numbered migrations applied in order, each
 * recorded in `release_schema_version`. All pending ones run in one transaction under a
 * transaction-scoped advisory lock, so two processes migrating at once apply each exactly once
 * (the second waits, then finds nothing to do), and a failed migration leaves no half schema.
 *
 * The lock is a row with a lease and an epoch (`release_locks`), not a session advisory lock: a
 * run's lock outlives its process (it is parked for days at a gate, and taken back from another
 * machine), while an advisory lock dies with the connection that took it. Advisory locks only
 * serve short mutual exclusion inside one transaction (a lock change, appends checking the fence).
 */
import type { Query } from './connection.js';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append only: a migration, once released, is never edited; change the schema with a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, journal rows, kept files, locks',
    sql: `
      -- head_seq/head_sum: the last line written, moved with it (a deleted last row is damage);
      -- creator: which process created it, so a create whose answer was lost is not a clash.
      CREATE TABLE release_runs (
        id text PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        head_seq integer NOT NULL DEFAULT 0,
        head_sum text,
        creator text
      );
      -- One sealed journal line per row: (run, seq) is the compare-and-set of an append.
      CREATE TABLE release_journal (
        run_id text NOT NULL REFERENCES release_runs (id) ON DELETE CASCADE,
        seq integer NOT NULL CHECK (seq > 0),
        line text NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, seq)
      );
      -- What a human's repair set aside: the damaged journal as it was.
      CREATE TABLE release_journal_aside (
        run_id text NOT NULL REFERENCES release_runs (id) ON DELETE CASCADE,
        label text NOT NULL,
        seq integer NOT NULL,
        line text NOT NULL,
        PRIMARY KEY (run_id, label, seq)
      );
      -- Files a run keeps beside its journal (the sandbox world), stored with each append.
      CREATE TABLE release_kept_files (
        run_id text NOT NULL REFERENCES release_runs (id) ON DELETE CASCADE,
        name text NOT NULL,
        content bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, name)
      );
      CREATE TABLE release_locks (
        app text PRIMARY KEY,
        lock_id text NOT NULL,
        run_id text NOT NULL,
        epoch integer NOT NULL,
        info jsonb NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS.at(-1)!.version;

/** Advisory lock keys: (namespace, key). The namespace keeps ours apart from other tools' in a shared database. */
export const LOCK_NAMESPACE = 0x72656c; // "rel"
const MIGRATION_KEY = 1;

export interface SchemaStatus {
  /** 0: no schema yet. */
  version: number;
  latest: number;
  pending: { version: number; name: string }[];
  /** The database was migrated by a newer release than this one. */
  ahead: boolean;
}

export interface MigrateResult {
  from: number;
  to: number;
  applied: { version: number; name: string }[];
}

export async function schemaStatus(query: Query): Promise<SchemaStatus> {
  const version = await currentVersion(query);
  return {
    version,
    latest: LATEST_VERSION,
    pending: MIGRATIONS.filter((m) => m.version > version).map(({ version: v, name }) => ({ version: v, name })),
    ahead: version > LATEST_VERSION,
  };
}

/** Applies what is pending, inside the caller's transaction. Idempotent: a second call applies nothing. */
export async function applyMigrations(query: Query): Promise<MigrateResult> {
  await query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, MIGRATION_KEY]);
  await query(`CREATE TABLE IF NOT EXISTS release_schema_version (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const from = await currentVersion(query);
  const applied: MigrateResult['applied'] = [];
  for (const migration of MIGRATIONS) {
    if (migration.version <= from) continue;
    await query(migration.sql);
    await query('INSERT INTO release_schema_version (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    applied.push({ version: migration.version, name: migration.name });
  }
  return { from, to: Math.max(from, LATEST_VERSION), applied };
}

async function currentVersion(query: Query): Promise<number> {
  const exists = await query("SELECT to_regclass('release_schema_version') IS NOT NULL AS present");
  if (!exists.rows[0]?.present) return 0;
  const result = await query('SELECT coalesce(max(version), 0)::int AS version FROM release_schema_version');
  return Number(result.rows[0]?.version ?? 0);
}
