/** `release runs`: every run in the state directory, newest last. */
import { openRunStore } from '../state-store.js';
import type { IO } from '../io.js';
import type { GlobalOptions } from '../program.js';

export async function runRuns(io: IO, opts: GlobalOptions): Promise<number> {
  const runs = await (await openRunStore(io, opts)).list();
  for (const r of runs) {
    const row = { runId: r.runId, playbook: r.playbook.name, status: r.status, dryRun: r.dryRun, app: r.release.app, createdAt: r.createdAt, updatedAt: r.updatedAt };
    if (opts.json) io.out.write(`${JSON.stringify({ type: 'run', ts: r.updatedAt, ...row })}\n`);
    else io.out.write(`${r.runId}  ${r.playbook.name.padEnd(22)} ${(r.dryRun ? 'plan' : r.status).padEnd(16)} ${String(r.release.summary ?? '')}\n`);
  }
  if (!runs.length && !opts.json) io.err.write('No runs yet. Try `release flip --sandbox`.\n');
  return 0;
}
