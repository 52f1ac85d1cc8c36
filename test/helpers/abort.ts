/** Ctrl-C must end any wait at once: the call is aborted after 300 ms and must give up within 2 s. */
import { expect } from 'vitest';

export async function expectEndsOnAbort(call: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('interrupted')), 300);
  const started = Date.now();
  const err = await call(controller.signal).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((err as Error | undefined)?.message).toBe('interrupted');
  expect(Date.now() - started).toBeLessThan(2000);
}
