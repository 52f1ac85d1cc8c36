/**
 * Paces one API key's calls to what the store allows, so a long wait spends the budget slowly
 * instead of failing on it. It listens to three things:
 * - a 429's `Retry-After`: no call before then;
 * - the store's own count of calls left, when it sends one. App Store Connect puts
 *   `X-Rate-Limit: user-hour-lim:3500;user-hour-rem:500;` on every response, counted per key over
 *   a *rolling* hour (https://developer.apple.com/documentation/appstoreconnectapi/identifying-rate-limits);
 * - our own calls: in a rolling window each call is given back one window after it was counted,
 *   so they say when waiting will free a call.
 *
 * The reserve: safe calls (reads) wait once only RESERVE_SHARE of the limit (at least one call)
 * is left. That rest is kept for our writes (the release request at the pivot must not wait out
 * the hour because polling spent it) and for the people and tools sharing the key.
 */
import { formatDuration } from '../../util/duration.js';
import { sleep } from '../../util/sleep.js';
import { backoffMs } from './store-error.js';

/**
 * `safe`: changes nothing users get (reads, and the steps of a Play edit before its commit), so it
 * may be sent again, and it waits rather than spend the reserve. `write`: may change what users
 * get; an unknown outcome is read back, and it may spend the reserve.
 */
export type CallKind = 'safe' | 'write';

/** 10 % of the hourly limit: 350 of Apple's usual 3500. */
export const RESERVE_SHARE = 0.1;

export interface Budget {
  limit: number;
  remaining: number;
}

export function reserveOf(limit: number): number {
  return Math.max(1, Math.ceil(limit * RESERVE_SHARE));
}

/** What one answer told: the budget it reported, and whether it was a 429. */
export interface Answer {
  budget?: Budget;
  limited?: boolean;
  retryAfterMs?: number;
}

export class Pacer {
  /**
   * When each of our calls was answered. The store counted it a little earlier, so it leaves the
   * window a little earlier than we assume: the safe side.
   */
  private readonly answered: number[] = [];
  /** Calls let go and not answered yet: not in any reported budget. */
  private inflight = 0;
  /** The last budget reported, when, and how many of our answers it had seen. */
  private budget: (Budget & { at: number; seen: number }) | undefined;
  private notBefore = 0;
  private limitedStreak = 0;

  constructor(private readonly opts: { store: string; windowMs: number; windowName: string }) {}

  /** How long one call may keep meeting 429s: by then a rolling window has given calls back. */
  get patienceMs(): number {
    return 2 * this.opts.windowMs;
  }

  /** Resolves when a call of this kind may go out, announcing any wait; rejects on abort. */
  async ready(kind: CallKind, signal?: AbortSignal, progress?: (message: string) => void): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = Date.now();
      const { at, why } = this.nextSlot(now, kind);
      if (at <= now) {
        this.inflight += 1;
        return;
      }
      progress?.(`${why} — next ${this.opts.store} call at ${new Date(at).toTimeString().slice(0, 8)} (in ${formatDuration(at - now)})`);
      await sleep(at - now, signal);
    }
  }

  /** Each call `ready` let go ends here, answered or not. */
  settled(answer: Answer): void {
    const now = Date.now();
    this.inflight = Math.max(0, this.inflight - 1);
    this.answered.push(now);
    while (this.answered.length && this.answered[0]! < now - 2 * this.opts.windowMs) {
      this.answered.shift();
      if (this.budget) this.budget.seen = Math.max(0, this.budget.seen - 1);
    }
    if (answer.budget) this.budget = { ...answer.budget, at: now, seen: this.answered.length };
    if (!answer.limited) {
      this.limitedStreak = 0;
      return;
    }
    // A 429: the store did not take the call. Wait as asked, else until the window gives calls back.
    this.limitedStreak += 1;
    if (answer.retryAfterMs !== undefined) this.notBefore = Math.max(this.notBefore, now + answer.retryAfterMs);
    else if (this.budget) this.budget = { ...this.budget, remaining: 0 };
    else this.notBefore = Math.max(this.notBefore, now + backoffMs(this.limitedStreak));
  }

  private nextSlot(now: number, kind: CallKind): { at: number; why: string } {
    const asked = { at: Math.max(now, this.notBefore), why: `${this.opts.store} rate limit hit (429): waiting as it asked` };
    const b = this.budget;
    if (!b) return asked;
    const reserve = reserveOf(b.limit);
    const floor = kind === 'write' ? 0 : reserve;
    const window = this.opts.windowMs;
    // Our calls the reported budget counted and the window has not given back yet: each frees one.
    const counted = this.answered.slice(0, b.seen).filter((t) => t > b.at - window);
    const leaving = counted.filter((t) => t > now - window);
    const left = b.remaining + (counted.length - leaving.length) - (this.answered.length - b.seen) - this.inflight;
    if (left > floor) return asked;
    const needed = floor - left + 1;
    // Not enough of ours to give back (others spend the key too): probe at the pace the limit allows.
    const probe = Math.min(window, Math.max(window / b.limit, backoffMs(this.limitedStreak + 1)));
    const freeAt = leaving.length >= needed ? leaving[needed - 1]! + window : b.at + probe;
    return {
      at: Math.max(asked.at, freeAt),
      why: `${this.opts.store} budget: ${Math.max(0, left)} of ${b.limit} calls left this ${this.opts.windowName}, ${reserve} kept in reserve`,
    };
  }
}

/** Apple's header: `user-hour-lim:3500;user-hour-rem:500;` (sometimes with user-minute-* too). */
export function parseAppleRateLimit(header: string | null | undefined): Budget | undefined {
  if (!header) return undefined;
  const lim = /user-hour-lim:(\d+)/.exec(header)?.[1];
  const rem = /user-hour-rem:(\d+)/.exec(header)?.[1];
  return lim !== undefined && rem !== undefined ? { limit: Number(lim), remaining: Number(rem) } : undefined;
}
