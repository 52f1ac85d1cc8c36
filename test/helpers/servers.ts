/** Servers a test starts on 127.0.0.1 (emulators, receivers), stopped when the test ends. */
import { onTestFinished } from 'vitest';

/** `onFinished`: a concurrent test must pass its own context's onTestFinished (see testdir). */
export async function started<T extends { start(): Promise<string>; stop(): Promise<void> }>(server: T, onFinished: (fn: () => Promise<void>) => void = onTestFinished): Promise<T> {
  await server.start();
  onFinished(() => server.stop());
  return server;
}
