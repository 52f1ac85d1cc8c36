/**
 * What only the postgres backend has to get right, against a real PostgreSQL: its schema
 * migrations, a database out of reach at start, a database restarted mid-run, and an append
 * whose COMMIT ran but whose answer was lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openPostgresBackend, postgresStatus } from '../../src/engine/backends/postgres/backend.js';
import { describeTarget } from '../../src/engine/backends/postgres/options.js';
import { LATEST_VERSION } from '../../src/engine/backends/postgres/schema.js';
import type { DurableEvent } from '../../src/engine/events.js';
import { JournalWriteError } from '../../src/engine/journal.js';
import { newRunId } from '../../src/engine/runs.js';
import type { StateBackend } from '../../src/engine/state-backend.js';
import { ReleaseError } from '../../src/errors.js';
import { freePort, usePostgres } from '../helpers/postgres.js';
import { markerOf, recorded } from '../helpers/state-backends.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const server = usePostgres();
const opened: StateBackend[] = [];
const proxies: TcpProxy[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

async function open(url: string, retryForMs?: number, onWait?: (message: string) => void): Promise<StateBackend> {
  const backend = await openPostgresBackend({ url, ...(retryForMs !== undefined ? { retryForMs } : {}), ...(onWait ? { onWait } : {}) });
  opened.push(backend);
  return backend;
}

const names = (events: DurableEvent[]) => events.map(markerOf);
const databaseOf = (url: string) => new URL(url).pathname.slice(1);

describe('postgres state backend', () => {
  it('migrates a new database once, is idempotent, and two processes migrating at once apply each migration exactly once', async () => {
    const url = await server.freshDatabase();
    expect(await postgresStatus({ url })).toMatchObject({ version: 0, latest: LATEST_VERSION, pending: [{ version: 1 }], ahead: false });
    const both = await Promise.all([migrate({ url }), migrate({ url })]);
    expect(both.map((r) => r.applied.length).sort()).toEqual([0, 1]);
    expect(both.every((r) => r.to === LATEST_VERSION)).toBe(true);
    const again = await migrate({ url });
    expect(again).toMatchObject({ from: LATEST_VERSION, to: LATEST_VERSION, applied: [] });
    expect((await server.sql(databaseOf(url), 'SELECT version FROM release_schema_version')).rows).toEqual([{ version: 1 }]);
    expect(await postgresStatus({ url })).toMatchObject({ version: LATEST_VERSION, pending: [] });
  });

  it('opening creates the schema when none is there; autoMigrate: false says to run `release state migrate`', async () => {
    const url = await server.freshDatabase();
    const refused = await openPostgresBackend({ url, autoMigrate: false }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ReleaseError);
    expect((refused as ReleaseError).hint).toContain('release state migrate');
    const backend = await open(url);
    expect(await backend.runIds()).toEqual([]);
    expect(await postgresStatus({ url })).toMatchObject({ version: LATEST_VERSION });
  });

  it('refuses a schema newer than this release knows', async () => {
    const url = await server.freshDatabase();
    await migrate({ url });
    await server.sql(databaseOf(url), "INSERT INTO release_schema_version (version, name) VALUES (99, 'from the future')");
    await expect(openPostgresBackend({ url })).rejects.toThrow(/schema version 99, newer than this release knows/);
  });

  it('unreachable at start: a ReleaseError naming host:port/database and the next step, never the password', async () => {
    const port = await freePort();
    const url = `postgres://captain:s3cret-pw@127.0.0.1:${port}/release_state`;
    const err = await openPostgresBackend({ url, connectTimeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReleaseError);
    const message = `${(err as ReleaseError).message} ${(err as ReleaseError).hint}`;
    expect(message).toContain(`127.0.0.1:${port}/release_state`);
    expect(message).toMatch(/ECONNREFUSED/);
    expect(message).toContain('Nothing was started');
    expect(message).not.toContain('s3cret-pw');
    // And a wrong password is said as such.
    const wrong = server.urlOf('postgres').replace(server.password, 'not-the-password');
    const refused = await openPostgresBackend({ url: wrong }).catch((e: unknown) => e);
    expect((refused as ReleaseError).message).toMatch(/refused the login/);
    expect(`${(refused as ReleaseError).message}${(refused as ReleaseError).hint}`).not.toContain('not-the-password');
  });

  it('messages name the target without the password', () => {
    expect(describeTarget('postgres://u:pw@db.example.com:6543/state?sslmode=require')).toBe('db.example.com:6543/state');
  });

  it('the database restarted mid-run: an append waits, reconnects and lands once; an idle pool does not crash the process', async () => {
    const url = await server.freshDatabase();
    const waits: string[] = [];
    const backend = await open(url, 20_000, (message) => waits.push(message));
    const runId = newRunId();
    await backend.createRun(runId);
    const journal = backend.journal(runId);
    await journal.append(recorded(runId, 'before'));
    await server.stop(); // the pool's idle clients are cut: their 'error' must not crash us
    const pending = journal.append(recorded(runId, 'during'));
    await new Promise((r) => setTimeout(r, 800));
    await server.start();
    const landed = await pending;
    expect(landed.seq).toBe(2);
    expect(waits).toEqual([expect.stringMatching(new RegExp(`^The state database 127\\.0\\.0\\.1:${server.port}/\\w+ is unreachable \\(.+\\): waiting up to 20 s for it\\.$`))]);
    expect(names((await (await open(url)).journal(runId).read()).events)).toEqual(['before', 'during']);
  });

  it('down for longer than the bound: the append fails with JournalWriteError and stores nothing; later appends work', async () => {
    const url = await server.freshDatabase();
    const backend = await open(url, 1_000);
    const runId = newRunId();
    await backend.createRun(runId);
    const journal = backend.journal(runId);
    await journal.append(recorded(runId, 'before'));
    await server.stop();
    const started = Date.now();
    const err = await journal.append(recorded(runId, 'lost')).catch((e: unknown) => e);
    await server.start();
    expect(err).toBeInstanceOf(JournalWriteError);
    expect((err as Error).message).toContain(`127.0.0.1:${server.port}/${databaseOf(url)}`);
    expect((err as Error).message).not.toContain(server.password);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect((await journal.append(recorded(runId, 'after'))).seq).toBe(2);
    expect(names((await journal.read()).events)).toEqual(['before', 'after']);
  });

  it('a COMMIT that ran but whose answer was lost is success on the retry, not a conflict: the event is journaled once', async () => {
    const direct = await server.freshDatabase();
    const proxy = await startTcpProxy(server.port);
    proxies.push(proxy);
    const viaProxy = direct.replace(`:${server.port}/`, `:${proxy.port}/`);
    const backend = await open(viaProxy);
    const runId = newRunId();
    await backend.createRun(runId);
    const journal = backend.journal(runId);
    await journal.append(recorded(runId, 'first'));
    const cut = proxy.loseAnswerTo('COMMIT');
    const second = await journal.append(recorded(runId, 'second'));
    await cut;
    expect(second.seq).toBe(2);
    expect((await journal.append(recorded(runId, 'third'))).seq).toBe(3);
    const rows = await server.sql(databaseOf(direct), 'SELECT seq FROM release_journal WHERE run_id = $1 ORDER BY seq', [runId]);
    expect(rows.rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(names((await (await open(direct)).journal(runId).read()).events)).toEqual(['first', 'second', 'third']);
  });
});
