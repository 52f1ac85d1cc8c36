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
  /** `unknown`: a write may or may not have taken effect, and reading the store back could not tell. */
  outcome?: 'unknown';
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

/** The same failure with some facts changed (retryable, outcome, next step). */
export function restate(err: StoreError, patch: Partial<StoreErrorInfo>): StoreError {
  return new StoreError({ ...err.info, ...patch });
}

/** `Retry-After` in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Exponential backoff with jitter, so many clients do not retry in step. */
export function backoffMs(attempt: number, baseMs = 1000, capMs = 60_000): number {
  const exp = Math.min(capMs, baseMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}
