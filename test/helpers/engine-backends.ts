/** The state backends the engine suite runs against (see test/engine/executor.test.ts). */
import { LocalBackend } from '../../src/engine/backends/local.js';
import type { StateBackend } from '../../src/engine/state-backend.js';
import { testdir } from './testdir.js';

export interface EngineBackend {
  name: string;
  open(): Promise<StateBackend>;
}

export function stateBackendsForEngineTests(): EngineBackend[] {
  return [{ name: 'local', open: async () => new LocalBackend(testdir()) }];
}
