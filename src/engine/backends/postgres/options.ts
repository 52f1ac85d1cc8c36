/**
 * How to reach the state database: a URL (`RELEASE_STATE_URL`, or the env var the release config
 * names), TLS as the URL's `sslmode` says (libpq's meaning) plus optional CA and verification
 * overrides, and how long a lost connection is waited for. The password is only ever in the URL
 * and the pool config, never in a message: `describeTarget` is what messages use.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { PoolConfig } from 'pg';
import { parse } from 'pg-connection-string';
import { usageError } from '../../../errors.js';
import { parseDuration } from '../../../util/duration.js';

export interface PostgresTls {
  /** A PEM file with the CA that signed the server's certificate (relative to `baseDir`). */
  caFile?: string;
  /** false: encrypt but accept any certificate (sslmode=require without a CA does the same). */
  rejectUnauthorized?: boolean;
}

export interface PostgresOptions {
  url: string;
  tls?: PostgresTls;
  /** How long an operation waits for a lost database to come back before it fails (default 20 s). */
  retryForMs?: number;
  /** One connection attempt's limit (default 5 s). */
  connectTimeoutMs?: number;
  /** Where relative TLS file paths start (the release config's directory). */
  baseDir?: string;
  /** Create or upgrade the schema on open (default true); false: a schema behind this release is an error. */
  autoMigrate?: boolean;
  /** Told once per operation that starts waiting for a lost database (progress for people: stderr). */
  onWait?: (message: string) => void;
}

export const DEFAULT_RETRY_FOR_MS = 20_000;

/** `host:port/database`, for messages: never the user's password, nor the query string. */
export function describeTarget(url: string): string {
  try {
    const parsed = parse(url, { useLibpqCompat: true });
    return `${parsed.host ?? 'localhost'}:${parsed.port || 5432}/${parsed.database ?? '(default database)'}`;
  } catch {
    return '(an unreadable state URL)';
  }
}

/** The URL's password (decoded), for the secret mask: every output masks it. Empty when none. */
export function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

/** The pg pool config: libpq's sslmode semantics (`require` encrypts, `verify-full` also checks the name). */
export function poolConfig(options: PostgresOptions): PoolConfig {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(options.url, { useLibpqCompat: true });
  } catch (err) {
    throw usageError(`The state database URL is not usable: ${(err as Error).message}.`, 'Write it as postgres://user:password@host:5432/database?sslmode=require.');
  }
  let ssl = parsed.ssl as boolean | TlsOptions | undefined;
  const tls = options.tls;
  if (tls && (tls.caFile !== undefined || tls.rejectUnauthorized !== undefined)) {
    // TLS options without an sslmode mean TLS: nobody configures a CA for a plain connection.
    const base: TlsOptions = typeof ssl === 'object' ? { ...ssl } : {};
    if (ssl === false) throw usageError('state.tls is set but the state URL says sslmode=disable.', 'Remove one of the two.');
    if (tls.caFile !== undefined) base.ca = readCa(tls.caFile, options.baseDir);
    if (tls.rejectUnauthorized !== undefined) base.rejectUnauthorized = tls.rejectUnauthorized;
    ssl = base;
  }
  const { ssl: _ssl, port, database, host, user, password, ...rest } = parsed;
  return {
    ...(rest as PoolConfig),
    ...(host ? { host } : {}),
    ...(port ? { port: Number(port) } : {}),
    ...(database ? { database } : {}),
    ...(user ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(ssl !== undefined ? { ssl } : {}),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    keepAlive: true,
    application_name: 'release',
    // A few connections suffice: one run appends serially, renews its lease, and reads.
    max: 4,
  };
}

function readCa(file: string, baseDir = process.cwd()): string {
  const path = isAbsolute(file) ? file : resolve(baseDir, file);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw usageError(`state.tls.ca: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, 'Name the PEM file of the CA that signed the database server\'s certificate.');
  }
}

/**
 * Options for a URL and the release config's TLS settings (cli/state-store.ts chooses them).
 * `RELEASE_STATE_RETRY_FOR` (a duration) bounds the wait for a lost connection (tests shorten it).
 */
export function postgresOptionsFrom(choice: { url: string; tls?: PostgresTls }, env: NodeJS.ProcessEnv, baseDir?: string): PostgresOptions {
  const retry = env.RELEASE_STATE_RETRY_FOR;
  return {
    url: choice.url,
    ...(choice.tls ? { tls: choice.tls } : {}),
    ...(retry ? { retryForMs: parseDuration(retry) } : {}),
    ...(baseDir ? { baseDir } : {}),
  };
}
