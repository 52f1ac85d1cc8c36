/** `release force-unlock <lock-id>`: clear a stale lock (the holder's machine is gone). */
import { describeHolder } from '../../engine/lock.js';
import { usageError } from '../../errors.js';
import { openRunStore, promptAllowed } from '../context.js';
import type { IO } from '../io.js';
import type { GlobalOptions } from '../program.js';
import { terminalPrompter } from '../prompter.js';

export interface ForceUnlockOptions extends GlobalOptions {
  lockId: string;
}

export async function runForceUnlock(io: IO, opts: ForceUnlockOptions): Promise<number> {
  const locks = openRunStore(io, opts).locks;
  const lock = locks.list().find((l) => l.id === opts.lockId);
  if (!lock) throw usageError(`No lock ${opts.lockId}.`, `Held locks: ${locks.list().map((l) => l.id).join(', ') || 'none'}.`);
  if (!opts.yes) {
    if (!promptAllowed(io, opts)) throw usageError('force-unlock needs --yes when nobody can be asked.');
    const ok = await terminalPrompter(io).confirm(`Remove lock ${lock.id} held by ${describeHolder(lock)}? A run still using it could then collide with another.`);
    if (!ok) return 0;
  }
  locks.forceUnlock(lock.id);
  io.err.write(`Removed lock ${lock.id} (${describeHolder(lock)}).\n`);
  if (opts.json) io.out.write(`${JSON.stringify({ type: 'lock.removed', runId: lock.runId, ts: new Date().toISOString(), lock })}\n`);
  return 0;
}
