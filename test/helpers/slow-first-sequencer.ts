/**
 * The order test files start in: the long ones first, so the suite does not end on one worker
 * running a 25-second file while the others sit idle. Vitest's own order (the last run's
 * durations) forgets a file's length after a run of a few of its tests, and a fresh checkout has
 * no durations at all; these files are long whatever ran last (their simulated latencies, store
 * reviews, restarts and installs take that long by design). The rest keep Vitest's order.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Longest first, by path under the repository, with what makes each long. */
const SLOW_FIRST = [
  'test/cli/postgres-state.e2e.test.ts', // two hosts, restarts of the database
  'test/cli/package.e2e.test.ts', // nearly all in beforeAll: npm pack (a build) and npm install
  'test/cli/run-life.e2e.test.ts', // signals and a namespaced run at 300 ms per simulated call
  'test/cli/crash.e2e.test.ts', // kill -9 along a flip at 150 ms per simulated call
  'test/cli/module-graph.e2e.test.ts', // a child process per command, traced
  'test/cli/real-config-backend.e2e.test.ts', // caches, deploys and timeouts running out
  'test/cli/store-resilience.e2e.test.ts', // store budgets, poll intervals, Retry-After
  'test/cli/real-stores.e2e.test.ts', // store reviews outliving tokens
  'test/cli/journal-faults.e2e.test.ts', // every line x every mutation
  'test/engine/executor.test.ts', // gate waits and holds on the clock
];

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const at = SLOW_FIRST.indexOf(relative(spec.project.config.root, spec.moduleId));
      return at < 0 ? SLOW_FIRST.length : at;
    };
    // Array.prototype.sort is stable: files not listed keep Vitest's order, after the listed ones.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
