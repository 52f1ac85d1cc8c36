/**
 * One store API call with the retries that are safe for it, the same rules for both stores:
 * - 429: the store did not take the call. Wait as the pacer says (Retry-After, the budget left)
 *   and send it again: a wait, not a failure, until the rate window must have given calls back.
 * - 401: a fresh token, then again. Apple sends transient 401s (microsoft/asconnect#8), and a
 *   clock a little off gives them too.
 * - 5xx, a timeout, a reset connection: the outcome is unknown. A safe call is sent again. A write is
 *   first settled by reading the store back: it took effect (done), it provably did not (sent
 *   again), or the read cannot tell (stop, a person checks). Never sent again blindly.
 * - anything else: the store refused, and the caller gets its StoreError.
 * Every wait is announced and ends at once on abort (Ctrl-C, the step's timeout).
 */
import { formatDuration } from '../../util/duration.js';
import { sleep } from '../../util/sleep.js';
import type { Budget, CallKind, Pacer } from './pacer.js';
import { backoffMs, restate, type StoreError } from './store-error.js';

/** One send, read by the adapter; `budget` is what the store said is left (App Store Connect). */
export type Attempt<T> = ({ ok: true; value: T } | { ok: false; failure: 'rate-limited' | 'unauthorized' | 'unknown' | 'refused'; error: StoreError; retryAfterMs?: number }) & {
  budget?: Budget;
};

export interface CallSpec<T> {
  kind: CallKind;
  /** Sends the call once and reads the answer; a store's answer is never thrown. */
  send: () => Promise<Attempt<T>>;
  /** Writes: reads the store back after an unknown outcome. True: the write took effect. */
  landed?: () => Promise<boolean>;
  pacer: Pacer;
  /** The next send carries a fresh token. */
  renewAuth?: () => void;
  signal?: AbortSignal;
  progress?: (message: string) => void;
}

/** Sends of a call whose outcome stays unknown (for a write: each one proved not done). */
const ATTEMPTS: Record<CallKind, number> = { safe: 4, write: 3 };
const AUTH_ATTEMPTS = 3;

/** The call's value; undefined when a write was found done by reading the store back. */
export async function storeCall<T>(spec: CallSpec<T>): Promise<T | undefined> {
  let unknown = 0;
  let unauthorized = 0;
  let limitedSince: number | undefined;
  for (;;) {
    await spec.pacer.ready(spec.kind, spec.signal, spec.progress);
    const result = await spec.send().catch((err: unknown) => {
      spec.pacer.settled({});
      throw err;
    });
    const limited = !result.ok && result.failure === 'rate-limited';
    spec.pacer.settled({ budget: result.budget, limited, retryAfterMs: limited ? result.retryAfterMs : undefined });
    spec.signal?.throwIfAborted();
    if (result.ok) return result.value;
    const { error } = result;
    if (limited) {
      limitedSince ??= Date.now();
      if (Date.now() - limitedSince >= spec.pacer.patienceMs) throw restate(error, { retryable: false });
      continue;
    }
    if (result.failure === 'refused') throw error;
    if (result.failure === 'unauthorized') {
      unauthorized += 1;
      // Still retryable: the key may be fine, so the step's own attempts may try again later.
      if (unauthorized >= AUTH_ATTEMPTS) throw restate(error, { retryable: true });
      spec.renewAuth?.();
      await pause(spec, backoffMs(unauthorized, 500), `${error.info.call}: 401, trying again with a fresh token`);
      continue;
    }
    if (spec.kind === 'write' && (await settle(spec, error))) return undefined;
    unknown += 1;
    if (unknown >= ATTEMPTS[spec.kind]) throw restate(error, { retryable: true });
    const what = spec.kind === 'write' ? 'not done (read back)' : 'no answer';
    await pause(spec, result.retryAfterMs ?? backoffMs(unknown), `${error.info.call}: ${error.info.status ?? 'no answer'}, ${what}`);
  }
}

/** Did the write take effect? Throws when the store cannot be read back to tell. */
async function settle(spec: CallSpec<unknown>, error: StoreError): Promise<boolean> {
  const cannotTell = (why: string) =>
    restate(error, {
      outcome: 'unknown',
      retryable: false,
      storeMessage: `${error.info.storeMessage} (and whether it took effect is unknown: ${why})`,
      next: `Look in ${error.info.store} whether ${error.info.call} happened; \`release resume\` reads the store before doing anything again.`,
    });
  if (!spec.landed) throw cannotTell('it cannot be read back');
  try {
    return await spec.landed();
  } catch (err) {
    spec.signal?.throwIfAborted();
    throw cannotTell(`reading it back failed: ${(err as Error).message}`);
  }
}

async function pause(spec: CallSpec<unknown>, ms: number, why: string): Promise<void> {
  spec.progress?.(`${why}; trying again in ${formatDuration(ms)}`);
  await sleep(ms, spec.signal);
}
