/**
 * The state backends the conformance suite runs against, each able to open a fresh store, a
 * second handle on the same store (another process or machine), and to hand-edit a stored
 * journal line (damage tests). Adding a backend is one entry in `stateBackendFactories`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalBackend } from '../../src/engine/backends/local.js';
import { openPostgresBackend } from '../../src/engine/backends/postgres/backend.js';
import type { DurableEvent } from '../../src/engine/events.js';
import type { StateBackend } from '../../src/engine/state-backend.js';
import type { TestPostgres } from './postgres.js';
import { testdir } from './testdir.js';

export interface BackendUnderTest {
  backend: StateBackend;
  /** Another handle on the same store, as a second process or machine would open it. */
  another(): Promise<StateBackend>;
  /** Rewrites the stored line of event `seq` of a run (a hand edit). */
  editLine(runId: string, seq: number, edit: (line: string) => string): Promise<void>;
}

export interface BackendFactory {
  name: string;
  open(): Promise<BackendUnderTest>;
}

export const localFactory: BackendFactory = {
  name: 'local',
  async open() {
    const dir = testdir();
    return {
      backend: new LocalBackend(dir),
      another: async () => new LocalBackend(dir),
      async editLine(runId, seq, edit) {
        const file = join(dir, 'runs', runId, 'journal.ndjson');
        const lines = readFileSync(file, 'utf8').split('\n');
        lines[seq - 1] = edit(lines[seq - 1]!);
        writeFileSync(file, lines.join('\n'));
      },
    };
  },
};

export function postgresFactory(server: TestPostgres, opened: StateBackend[]): BackendFactory {
  return {
    name: 'postgres',
    async open() {
      const url = await server.freshDatabase();
      const open = async () => {
        const backend = await openPostgresBackend({ url });
        opened.push(backend);
        return backend;
      };
      return {
        backend: await open(),
        another: open,
        async editLine(runId, seq, edit) {
          const database = new URL(url).pathname.slice(1);
          const row = await server.sql(database, 'SELECT line FROM release_journal WHERE run_id = $1 AND seq = $2', [runId, seq]);
          await server.sql(database, 'UPDATE release_journal SET line = $3 WHERE run_id = $1 AND seq = $2', [runId, seq, edit(row.rows[0].line as string)]);
        },
      };
    },
  };
}

/** A journal event that carries a marker `n`, to tell events apart. */
export function recorded(runId: string, n: number | string, extra: object = {}): DurableEvent {
  return { type: 'step.recorded', runId, ts: new Date().toISOString(), step: 'fixture', record: { n, ...extra } };
}

export function markerOf(event: DurableEvent): unknown {
  return event.type === 'step.recorded' ? event.record.n : undefined;
}
