/**
 * The pool and its two rules: a lost connection (a restarted database, a dropped network) is
 * waited for, with backoff, for a bounded time; and a client that errored is thrown away, never
 * handed out again. Idle clients that the server drops emit 'error' on the pool: handled here,
 * so a database restart while a run waits at a gate does not crash the process.
 */
import pg from 'pg';
import { ReleaseError } from '../../../errors.js';
import { sleep } from '../../../util/sleep.js';
import { DEFAULT_RETRY_FOR_MS, describeTarget, poolConfig, type PostgresOptions } from './options.js';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ECONNABORTED']);
/** SQLSTATEs of a server going away or not ready yet; 40001/40P01 are transient too (retry the transaction). */
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '40001', '40P01']);
const CONNECTION_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Client was closed|the database system is (starting up|shutting down|in recovery)/i;

/** Is this the connection failing (worth waiting for), rather than the statement? */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  if (!e) return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (CONNECTION_CODES.has(code) || TRANSIENT_SQLSTATES.has(code) || code.startsWith('08')) return true;
  if (err instanceof AggregateError) return err.errors.some(isConnectionError);
  return typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message);
}

/** The database stayed out of reach for the whole bound. */
export class StateUnreachableError extends Error {
  constructor(
    readonly target: string,
    readonly waitedMs: number,
    cause: unknown,
  ) {
    super(`the state database ${target} is unreachable${waitedMs ? ` (waited ${Math.round(waitedMs / 1000)} s)` : ''}: ${reason(cause)}`, { cause });
    this.name = 'StateUnreachableError';
  }
}

export function reason(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return reason(err.errors[0]);
  const e = err as { code?: string; message?: string };
  const message = e?.message || String(err);
  return e?.code && !message.includes(e.code) ? `${message} (${e.code})` : message;
}

export type Query = (text: string, values?: unknown[]) => Promise<pg.QueryResult>;

export class Connection {
  readonly target: string;
  readonly retryForMs: number;
  private readonly pool: pg.Pool;
  private readonly onWait: ((message: string) => void) | undefined;
  private closed = false;

  constructor(options: PostgresOptions) {
    this.onWait = options.onWait;
    this.target = describeTarget(options.url);
    this.retryForMs = options.retryForMs ?? DEFAULT_RETRY_FOR_MS;
    this.pool = new pg.Pool(poolConfig(options));
    // An idle client the server dropped: the pool already removed it; the next checkout reconnects.
    this.pool.on('error', () => {});
  }

  /**
   * Runs `fn` in one transaction; on a lost connection, waits and runs it again (a new client),
   * until `retryForMs` has passed, then throws StateUnreachableError. `fn` must therefore be
   * safe to run again: what it learnt from an attempt whose COMMIT went unanswered is its own.
   */
  async transaction<T>(fn: (query: Query) => Promise<T>, opts: { retryForMs?: number } = {}): Promise<T> {
    return this.retrying(
      () =>
        this.withClient(async (query) => {
          await query('BEGIN');
          try {
            const result = await fn(query);
            await query('COMMIT');
            return result;
          } catch (err) {
            if (!isConnectionError(err)) await query('ROLLBACK').catch(() => {});
            throw err;
          }
        }),
      opts,
    );
  }

  /** One statement outside a transaction, with the same waiting as `transaction`. */
  async query(text: string, values?: unknown[]): Promise<pg.QueryResult> {
    return this.retrying(() => this.pool.query(text, values));
  }

  /** One attempt, no waiting: for `doctor` and the check at start. */
  async probe<T>(fn: (query: Query) => Promise<T>): Promise<T> {
    return this.withClient(fn);
  }

  /** A client of the pool for `fn`; one whose connection broke is destroyed, not returned. */
  private async withClient<T>(fn: (query: Query) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A client that dies while checked out emits 'error' on itself: without a listener, the process would crash.
    const onError = (err: Error) => (broken = err);
    client.on('error', onError);
    try {
      return await fn((text, values) => client.query(text, values));
    } catch (err) {
      if (isConnectionError(err)) broken ??= err as Error;
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken ?? undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end().catch(() => {});
  }

  private async retrying<T>(attempt: () => Promise<T>, opts: { retryForMs?: number } = {}): Promise<T> {
    const bound = opts.retryForMs ?? this.retryForMs;
    const started = Date.now();
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (!isConnectionError(err) || this.closed) throw err;
        const waited = Date.now() - started;
        if (waited >= bound) throw new StateUnreachableError(this.target, waited, err);
        if (n === 0 && bound > 0) this.onWait?.(`The state database ${this.target} is unreachable (${reason(err)}): waiting up to ${Math.round(bound / 1000)} s for it.`);
        // 100 ms, doubling to 2 s, never past the bound.
        await sleep(Math.min(100 * 2 ** n, 2_000, Math.max(0, bound - waited)));
      }
    }
  }
}

/** Node's names for a server certificate it would not trust. */
const TLS_CODES = /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID|CERT_UNTRUSTED)$/;

/** The message for a database out of reach when a command starts: nothing has happened yet. */
export function unreachableAtStart(target: string, err: unknown): ReleaseError {
  const code = (err as { code?: string })?.code ?? '';
  if (TLS_CODES.test(code)) {
    return new ReleaseError('error', `The state database ${target} presented a TLS certificate this machine does not trust: ${reason(err)}.`, {
      hint: 'Name the CA that signed it with `state.tls.caFile` in release.config.yaml (or `sslrootcert=` in the URL); `sslmode=require` encrypts without checking it. Nothing was started.',
      cause: err,
    });
  }
  if (/does not support SSL/i.test(reason(err))) {
    return new ReleaseError('error', `The state database ${target} does not accept TLS, but the URL or state.tls asks for it.`, {
      hint: 'Enable TLS on the server, or use sslmode=disable on a network you trust. Nothing was started.',
      cause: err,
    });
  }
  const auth = code === '28P01' || code === '28000';
  return new ReleaseError('error', auth ? `The state database ${target} refused the login: ${reason(err)}.` : `The state database ${target} is unreachable: ${reason(err)}.`, {
    hint: auth
      ? 'Check the user and password in RELEASE_STATE_URL (or the variable state.url names). Nothing was started.'
      : 'Nothing was started: no lock was taken and no run created. Check that the database is up and reachable from here (`release doctor` checks it), then run the command again.',
    cause: err,
  });
}

/** After the wait for a lost connection, outside an append: a message with the way on, not a stack. */
export async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StateUnreachableError) {
      throw new ReleaseError('error', `${err.message[0]!.toUpperCase()}${err.message.slice(1)}.`, {
        hint: 'When it is reachable again, run the command again (`release status` shows where a run stands; `release resume <run>` continues it).',
        cause: err,
      });
    }
    throw err;
  }
}
