import { unlinkSync } from 'node:fs';

/** Removes a file that may already be gone (another process's cleanup, a crash before it was made). */
export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
