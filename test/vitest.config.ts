import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    // End-to-end tests spawn the built CLI; a slow CI machine needs room.
    testTimeout: 60_000,
    // Two workers on a 2-core machine: most files spawn CLIs and wait on them, so two at a time
    // roughly halves the wall time.
    maxWorkers: 2,
    hookTimeout: 60_000,
  },
});
