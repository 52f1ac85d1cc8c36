/** `release state migrate`: create or upgrade the schema of the shared state database. */
import { migrate, postgresStatus } from '../../engine/backends/postgres/backend.js';
import { usageError } from '../../errors.js';
import { postgresOptionsOf } from '../state-store.js';
import type { IO } from '../io.js';
import type { GlobalOptions } from '../program.js';

export interface StateMigrateOptions extends GlobalOptions {
  dryRun?: boolean;
}

export async function runStateMigrate(io: IO, opts: StateMigrateOptions): Promise<number> {
  const options = await postgresOptionsOf(io, opts);
  if (!options) {
    throw usageError('The state is local (files under the state directory): there is no schema to migrate.', 'Set RELEASE_STATE_URL, or `state: { backend: postgres, url: { env: NAME } }` in release.config.yaml.');
  }
  const ts = () => new Date().toISOString();
  if (opts.dryRun) {
    const status = await postgresStatus(options);
    if (opts.json) io.out.write(`${JSON.stringify({ type: 'state.status', runId: null, ts: ts(), target: status.target, version: status.version, latest: status.latest, pending: status.pending })}\n`);
    io.err.write(
      status.pending.length
        ? `${status.target}: schema version ${status.version}; would apply ${status.pending.map((m) => `${m.version} (${m.name})`).join(', ')}.\n`
        : `${status.target}: schema version ${status.version}, up to date. Nothing to apply.\n`,
    );
    return 0;
  }
  const result = await migrate(options);
  if (opts.json) io.out.write(`${JSON.stringify({ type: 'state.migrated', runId: null, ts: ts(), target: result.target, from: result.from, to: result.to, applied: result.applied })}\n`);
  io.err.write(
    result.applied.length
      ? `Migrated ${result.target}: schema version ${result.from} -> ${result.to} (applied ${result.applied.map((m) => `${m.version}: ${m.name}`).join('; ')}).\n`
      : `${result.target}: schema version ${result.to}, already up to date. Nothing applied.\n`,
  );
  return 0;
}
