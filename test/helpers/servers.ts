/** Servers a test starts on 127.0.0.1 (emulators, receivers), stopped when the test ends. */
import { onTestFinished } from 'vitest';

export async function started<T extends { start(): Promise<string>; stop(): Promise<void> }>(server: T): Promise<T> {
  await server.start();
  onTestFinished(() => server.stop());
  return server;
}
