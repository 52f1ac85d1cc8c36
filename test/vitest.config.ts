import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './helpers/slow-first-sequencer.js';

// Test directories on a RAM disk where there is one: the tests fsync every journal line, and a
// disk shared with other jobs makes each fsync wait. The files are as real; only power cuts,
// which no test simulates, would tell the difference.
const RAM_DISK = '/dev/shm';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    // End-to-end tests spawn the built CLI; a slow CI machine needs room.
    testTimeout: 60_000,
    // Five workers on a 2-core machine: with two, the cores sat half idle (the e2e files mostly wait
    // on child processes, emulated stores, caches and timeouts). Paired runs: 3 workers 66 s, 4
    // workers 59-67 s, 5 workers 59 s.
    maxWorkers: 5,
    // The long files start first, so the suite does not end on one of them.
    sequence: { sequencer: SlowFirstSequencer },
    // A worker keeps its modules from one file to the next: importing the program afresh for each
    // of the files that run it in-process cost about a second each. No test relies on a fresh
    // module (the program keeps no state between commands; each file makes its own directories).
    isolate: false,
    hookTimeout: 60_000,
    // Transformed modules kept on disk between runs (node_modules/.experimental-vitest-cache, keyed
    // by each file's content): a run after the first skips most of the TypeScript transforms and
    // about a tenth of the suite's CPU. `vitest --clearCache` empties it.
    experimental: { fsModuleCache: true },
    ...(existsSync(RAM_DISK) && !process.env.TMPDIR ? { env: { TMPDIR: RAM_DISK } } : {}),
  },
});
