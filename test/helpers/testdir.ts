/** Real temporary directories, with optional files, removed after the test. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

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

/**
 * A directory for a whole describe block, removed after its last test. Call it in the describe
 * body, where Vitest collects hooks: an `afterAll` registered from inside a `beforeAll` never ran,
 * and each suite run left such directories (an installed package among them, ~125 MB) in the
 * RAM disk.
 */
export function suiteDir(files: Record<string, string> = {}): string {
  return testdir(files, (fn) => afterAll(fn));
}
