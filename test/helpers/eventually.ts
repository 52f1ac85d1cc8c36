/** Waits until `ready()` holds (checked every 20 ms), failing after `timeoutMs`: a fixed sleep is either slow or, on a loaded machine, too short. */
export async function eventually(ready: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
