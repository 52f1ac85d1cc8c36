/** The state backends the engine suite runs against (see test/engine/executor.test.ts). */
import { afterEach } from 'vitest';
import { LocalBackend } from '../../src/engine/backends/local.js';
import { openPostgresBackend } from '../../src/engine/backends/postgres/backend.js';
import type { StateBackend } from '../../src/engine/state-backend.js';
import { usePostgres } from './postgres.js';
import { testdir } from './testdir.js';

export interface EngineBackend {
  name: string;
  open(): Promise<StateBackend>;
}

/** Call at the top of a test file: it starts one PostgreSQL for the file (a fresh database per test). */
export function stateBackendsForEngineTests(): EngineBackend[] {
  const server = usePostgres();
  const opened: StateBackend[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => b.close()));
  });
  return [
    { name: 'local', open: async () => new LocalBackend(testdir()) },
    {
      name: 'postgres',
      open: async () => {
        const backend = await openPostgresBackend({ url: await server.freshDatabase() });
        opened.push(backend);
        return backend;
      },
    },
  ];
}
