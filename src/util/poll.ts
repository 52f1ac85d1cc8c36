/**
 * Polls until `check` says done: the delay grows by half each time up to `maxMs`, with jitter
 * so many clients do not beat in step, and each wait is announced (state, elapsed, next check).
 */
import { formatDuration } from './duration.js';
import { sleep } from './sleep.js';

export interface PollOptions<T> {
  check: () => Promise<{ done: true; value: T } | { done: false; state: string }>;
  intervalMs: number;
  maxIntervalMs?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  progress?: (message: string) => void;
  /** What is being waited for, for the timeout message. */
  what: string;
  /** How to wait (a step's own sleep compresses rehearsals); default: a plain timer. */
  sleep?: (ms: number) => Promise<void>;
}

export class PollTimeout extends Error {
  constructor(what: string, ms: number, state: string) {
    super(`gave up waiting for ${what} after ${formatDuration(ms)} (last state: ${state})`);
    this.name = 'PollTimeout';
  }
}

export async function pollUntil<T>(opts: PollOptions<T>): Promise<T> {
  const started = Date.now();
  const maxMs = opts.maxIntervalMs ?? opts.intervalMs * 5;
  let delay = opts.intervalMs;
  for (;;) {
    const result = await opts.check();
    if (result.done) return result.value;
    const elapsed = Date.now() - started;
    if (opts.timeoutMs !== undefined && elapsed >= opts.timeoutMs) throw new PollTimeout(opts.what, elapsed, result.state);
    const wait = Math.round(delay * (0.9 + Math.random() * 0.2));
    opts.progress?.(`${result.state} — waited ${formatDuration(elapsed)}, next check in ${formatDuration(wait)}`);
    await (opts.sleep ? opts.sleep(wait) : sleep(wait, opts.signal));
    delay = Math.min(delay * 1.5, maxMs);
  }
}
