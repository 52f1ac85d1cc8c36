/** `release force-unlock <lock-id>`: clear a stale lock (the holder's machine is gone). */
import { describeHolder, holderState } from '../../engine/lock.js';
import { usageError } from '../../errors.js';
import { openRunStore } from '../state-store.js';
import type { IO } from '../io.js';
import type { GlobalOptions } from '../program.js';

export interface ForceUnlockOptions extends GlobalOptions {
  lockId: string;
  force?: boolean;
}

export async function runForceUnlock(io: IO, opts: ForceUnlockOptions): Promise<number> {
  const locks = (await openRunStore(io, opts)).locks;
  const held = await locks.list();
  const lock = held.find((l) => l.id === opts.lockId);
  if (!lock) throw usageError(`No lock ${opts.lockId}.`, `Held locks: ${held.map((l) => l.id).join(', ') || 'none'}.`);
  const alive = holderState(lock).state === 'alive';
  if (alive && opts.force) io.err.write(`warning: ${describeHolder(lock)}. Forcing its lock away: that process can no longer write, and whatever it is doing now is left half-done until \`release resume ${lock.runId}\` settles it.\n`);
  if (!opts.yes) {
    // Only asking needs the prompter (and the context it names the asker with): --yes loads neither.
    const [{ promptAllowed }, { terminalPrompter }] = await Promise.all([import('../context.js'), import('../prompter.js')]);
    if (!promptAllowed(io, opts)) throw usageError('force-unlock needs --yes when nobody can be asked.');
    const ok = await terminalPrompter(io).confirm(`Remove lock ${lock.id} held by ${describeHolder(lock)}? A run still using it could then collide with another.`);
    if (!ok) return 0;
  }
  const removed = await locks.forceUnlock(lock.id, { force: Boolean(opts.force) });
  if (!removed) throw usageError(`Lock ${opts.lockId} changed meanwhile; nothing was removed.`, 'Look again with `release status`.');
  io.err.write(`Removed lock ${removed.id} (${describeHolder(removed)}).\n`);
  if (opts.json) io.out.write(`${JSON.stringify({ type: 'lock.removed', runId: removed.runId, ts: new Date().toISOString(), lock: removed })}\n`);
  return 0;
}
