/**
 * Every store failure as one message: which store and app, which call, the store's own words,
 * and what to do next — never a raw stack trace.
 */
import { ActionError } from '../../engine/action.js';

export interface StoreErrorInfo {
  store: string;
  app: string;
  call: string;
  status?: number;
  /** The store's own error code or reason (ENTITY_ERROR.ATTRIBUTE.INVALID, releaseToHaltNotFound). */
  code?: string;
  storeMessage: string;
  next: string;
  retryable?: boolean;
}

export class StoreError extends ActionError {
  readonly info: StoreErrorInfo;

  constructor(info: StoreErrorInfo) {
    const status = info.status ? `${info.status}${info.code ? ` ${info.code}` : ''}` : info.code ?? 'no answer';
    super(`${info.store} (${info.app}): ${info.call} failed: ${status}: "${info.storeMessage}"`, {
      retryable: info.retryable ?? false,
      hint: info.next,
    });
    this.name = 'StoreError';
    this.info = info;
  }
}

/** Waits the store asked for: `Retry-After` in seconds, else exponential backoff with jitter. */
export function backoffMs(attempt: number, retryAfter?: string | null, baseMs = 1000, capMs = 60_000): number {
  const asked = retryAfter ? Number(retryAfter) * 1000 : NaN;
  if (Number.isFinite(asked) && asked >= 0) return Math.min(asked, capMs * 5);
  const exp = Math.min(capMs, baseMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}
