/** Real temporary directories, with optional files, removed after the test. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';

/**
 * `onFinished`: a concurrent test must pass its own context's onTestFinished — Vitest does not
 * track concurrent tests in the global hook, so one test's end could remove another's directory.
 */
export function testdir(files: Record<string, string> = {}, onFinished: (fn: () => void) => void = onTestFinished): string {
  const dir = mkdtempSync(join(tmpdir(), 'release-test-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  onFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
