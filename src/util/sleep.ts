/** setTimeout as a promise that rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A simulated delay: like `sleep`, but nothing to wait for takes no timer (a timer of 0 ms still
 * costs about 1 ms), so a zero-latency rehearsal runs at the speed of its own code. An aborted
 * signal is refused either way. Not for poll loops: those must yield to the event loop.
 */
export function pause(ms: number, signal?: AbortSignal): Promise<void> | undefined {
  if (ms > 0) return sleep(ms, signal);
  signal?.throwIfAborted();
  return undefined;
}
