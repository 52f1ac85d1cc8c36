import { execa, execaNode } from 'execa';
import { readdirSync, readFileSync, writeFileSync as writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FileLockRecords } from '../../src/engine/backends/local.js';
import { fenceHolds, fenceOf, LockLostError, LockStore, holderState, type LockInfo } from '../../src/engine/lock.js';
import { currentProcess } from '../../src/engine/owner.js';
import { ReleaseError } from '../../src/errors.js';
import { testdir } from '../helpers/testdir.js';

const me = { who: 'alice', ...currentProcess() };

async function deadPid(): Promise<number> {
  const child = execaNode('--eval', ['0']);
  const pid = child.pid!;
  await child;
  return pid;
}

async function lockedBy(fn: () => Promise<unknown>): Promise<ReleaseError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ReleaseError) return err;
    throw err;
  }
  throw new Error('expected a locked error');
}

/** Rewrites the lock file as another machine's process would have left it. */
async function rewrite(dir: string, app: string, patch: Partial<LockInfo>): Promise<void> {
  const store = lockStore(dir);
  const current = (await store.read(app))!;
  writeSync(`${dir}/${app}.lock.json`, JSON.stringify({ ...current, ...patch }));
}

function lockStore(dir: string, phaseOf?: (runId: string) => Promise<'absent' | 'active' | 'ended'>): LockStore {
  return new LockStore(new FileLockRecords(dir), phaseOf);
}

describe('LockStore', () => {
  it('gives the lock to one run; a second fails fast naming the holder', async () => {
    const locks = lockStore(testdir());
    const held = await locks.acquire({ app: 'com.example', runId: 'run-1', operation: 'flip', by: me });
    const error = await lockedBy(() => locks.acquire({ app: 'com.example', runId: 'run-2', operation: 'flip', by: { ...me, who: 'bob' } }));
    expect(error.kind).toBe('locked');
    expect(error.message).toContain('run run-1 (flip) by alice');
    expect(error.message).toContain(held.id);
    await locks.release(held);
    expect((await locks.acquire({ app: 'com.example', runId: 'run-2', operation: 'flip', by: me })).runId).toBe('run-2');
  });

  it('lets resume of the same run take over a lock whose process died here, raising the epoch', async () => {
    const locks = lockStore(testdir());
    const old = await locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: { ...me, pid: await deadPid() } });
    await expect(locks.acquire({ app: 'app', runId: 'run-2', operation: 'flip', by: me })).rejects.toThrow(/locked by run run-1/);
    const taken = await locks.acquire({ app: 'app', runId: 'run-1', operation: 'resume', by: me, resuming: true });
    expect(taken).toMatchObject({ id: old.id, pid: process.pid, epoch: old.epoch + 1 });
    // The fence every append checks: the old holder's no longer holds, the new one's does.
    const stored = (await locks.list()).find((l) => l.app === 'app');
    expect(fenceHolds(stored, fenceOf(old))).toBe(false);
    expect(fenceHolds(stored, fenceOf(taken))).toBe(true);
  });

  it('a reused pid (alive, but another start time) is recognised as dead', async () => {
    const sleeper = execa('sleep', ['30']);
    try {
      const dir = testdir();
      const locks = lockStore(dir);
      const held = await locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: { ...me, pid: sleeper.pid!, startTicks: '1' } });
      expect(holderState(held).state).toBe('dead');
      expect((await locks.acquire({ app: 'app', runId: 'run-1', operation: 'resume', by: me, resuming: true })).pid).toBe(process.pid);
    } finally {
      sleeper.kill();
      await sleeper.catch(() => undefined);
    }
  });

  it('from another PID namespace or machine, only the lease counts: fresh means alive, expired means gone', async () => {
    const dir = testdir();
    const locks = lockStore(dir);
    // Our own pid, alive here, but in another namespace it names another process: no pid check.
    await locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: { ...me, pidNs: 'pid:[4026500000]' } });
    const fresh = await lockedBy(() => locks.acquire({ app: 'app', runId: 'run-1', operation: 'resume', by: me, resuming: true }));
    expect(fresh.message).toMatch(/lease renewed .* ago/);
    expect(fresh.hint).toMatch(/Wait for it/);
    await rewrite(dir, 'app', { renewedAt: new Date(Date.now() - 60_000).toISOString() });
    expect(holderState((await locks.read('app'))!).why).toMatch(/lease expired/);
    expect((await locks.acquire({ app: 'app', runId: 'run-1', operation: 'resume', by: me, resuming: true })).pid).toBe(process.pid);
  });

  it('renewing keeps the lease fresh, and fails once the lock is gone', async () => {
    const dir = testdir();
    const locks = lockStore(dir);
    const held = await locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: { ...me, machine: 'elsewhere' } });
    await rewrite(dir, 'app', { renewedAt: new Date(Date.now() - 20_000).toISOString() });
    expect(await locks.renew(held)).toBe(true);
    expect(Date.now() - Date.parse((await locks.read('app'))!.renewedAt)).toBeLessThan(5_000);
    await locks.forceUnlock(held.id, { force: true });
    expect(await locks.renew(held)).toBe(false);
    expect(await locks.read('app')).toBeUndefined();
  });

  it('a parked lock (paused run) is taken back by its run from any host, and kept from others', async () => {
    const locks = lockStore(testdir());
    const held = await locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: { ...me, host: 'ci-job-1', machine: 'ci-boot' } });
    await locks.park(held);
    expect((await locks.read('app'))?.pid).toBeNull();
    await expect(locks.acquire({ app: 'app', runId: 'run-2', operation: 'flip', by: me })).rejects.toThrow(/parked/);
    expect((await locks.acquire({ app: 'app', runId: 'run-1', operation: 'resume', by: me, resuming: true })).pid).toBe(process.pid);
  });

  it('force-unlock refuses a live holder without --force, and removes it with --force', async () => {
    const locks = lockStore(testdir());
    const held = await locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: me });
    expect(await locks.forceUnlock('lk-nope', { force: false })).toBeUndefined();
    const refused = await lockedBy(() => locks.forceUnlock(held.id, { force: false }));
    expect(refused.kind).toBe('locked');
    expect(refused.message).toContain(`pid ${process.pid}`);
    expect(refused.hint).toMatch(/--force/);
    expect((await locks.forceUnlock(held.id, { force: true }))?.runId).toBe('run-1');
    expect(await locks.list()).toEqual([]);
    expect(fenceHolds((await locks.list()).find((l) => l.app === 'app'), fenceOf(held))).toBe(false);
    expect(new LockLostError(fenceOf(held), undefined).message).toMatch(/was removed/);
  });

  it('clears a lock left by a run that never started or already ended, once its holder is gone', async () => {
    const phases: Record<string, 'absent' | 'active' | 'ended'> = { never: 'absent', over: 'ended', going: 'active' };
    const locks = lockStore(testdir(), async (runId) => phases[runId]!);
    const dead = await deadPid();
    for (const runId of ['never', 'over']) {
      const left = await locks.acquire({ app: runId, runId, operation: 'flip', by: { ...me, pid: dead } });
      expect((await locks.acquire({ app: runId, runId: 'next', operation: 'flip', by: me })).id).not.toBe(left.id);
    }
    await locks.acquire({ app: 'busy', runId: 'going', operation: 'flip', by: { ...me, pid: dead } });
    expect((await lockedBy(() => locks.acquire({ app: 'busy', runId: 'next', operation: 'flip', by: me }))).hint).toMatch(/Continue that run with `release resume going`/);
    // A run that is only starting (holder alive) keeps its lock.
    await locks.acquire({ app: 'starting', runId: 'never', operation: 'flip', by: me });
    expect((await lockedBy(() => locks.acquire({ app: 'starting', runId: 'next', operation: 'flip', by: me }))).hint).toMatch(/Wait for it/);
  });

  it('lock files appear whole: an empty or torn one (an older release killed mid-write) reserves nothing', async () => {
    const dir = testdir();
    writeSync(`${dir}/app.lock.json`, '');
    const locks = lockStore(dir);
    expect((await locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: me })).runId).toBe('run-1');
    expect(JSON.parse(readFileSync(`${dir}/app.lock.json`, 'utf8'))).toMatchObject({ runId: 'run-1', epoch: 1 });
    expect(readdirSync(dir).filter((n) => n.includes('tmp') || n.endsWith('.mutex'))).toEqual([]);
  });
});
