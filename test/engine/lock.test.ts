import { execa, execaNode } from 'execa';
import { readdirSync, readFileSync, writeFileSync as writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LockLostError, LockStore, holderState, type LockInfo } from '../../src/engine/lock.js';
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

function lockedBy(fn: () => unknown): ReleaseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ReleaseError) return err;
    throw err;
  }
  throw new Error('expected a locked error');
}

/** Rewrites the lock file as another machine's process would have left it. */
function rewrite(dir: string, app: string, patch: Partial<LockInfo>): void {
  const store = new LockStore(dir);
  const current = store.read(app)!;
  writeSync(`${dir}/${app}.lock.json`, JSON.stringify({ ...current, ...patch }));
}

describe('LockStore', () => {
  it('gives the lock to one run; a second fails fast naming the holder', () => {
    const locks = new LockStore(testdir());
    const held = locks.acquire({ app: 'com.example', runId: 'run-1', operation: 'flip', by: me });
    const error = lockedBy(() => locks.acquire({ app: 'com.example', runId: 'run-2', operation: 'flip', by: { ...me, who: 'bob' } }));
    expect(error.kind).toBe('locked');
    expect(error.message).toContain('run run-1 (flip) by alice');
    expect(error.message).toContain(held.id);
    locks.release(held);
    expect(locks.acquire({ app: 'com.example', runId: 'run-2', operation: 'flip', by: me }).runId).toBe('run-2');
  });

  it('lets resume of the same run take over a lock whose process died here, raising the epoch', async () => {
    const locks = new LockStore(testdir());
    const old = locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: { ...me, pid: await deadPid() } });
    expect(() => locks.acquire({ app: 'app', runId: 'run-2', operation: 'flip', by: me })).toThrow(/locked by run run-1/);
    const taken = locks.acquire({ app: 'app', runId: 'run-1', operation: 'resume', by: me, resuming: true });
    expect(taken).toMatchObject({ id: old.id, pid: process.pid, epoch: old.epoch + 1 });
    expect(() => locks.assertHeld(old)).toThrow(LockLostError);
    expect(() => locks.assertHeld(taken)).not.toThrow();
  });

  it('a reused pid (alive, but another start time) is recognised as dead', async () => {
    const sleeper = execa('sleep', ['30']);
    try {
      const dir = testdir();
      const locks = new LockStore(dir);
      const held = locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: { ...me, pid: sleeper.pid!, startTicks: '1' } });
      expect(holderState(held).state).toBe('dead');
      expect(locks.acquire({ app: 'app', runId: 'run-1', operation: 'resume', by: me, resuming: true }).pid).toBe(process.pid);
    } finally {
      sleeper.kill();
      await sleeper.catch(() => undefined);
    }
  });

  it('from another PID namespace or machine, only the lease counts: fresh means alive, expired means gone', () => {
    const dir = testdir();
    const locks = new LockStore(dir);
    // Our own pid, alive here, but in another namespace it names another process: no pid check.
    locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: { ...me, pidNs: 'pid:[4026500000]' } });
    const fresh = lockedBy(() => locks.acquire({ app: 'app', runId: 'run-1', operation: 'resume', by: me, resuming: true }));
    expect(fresh.message).toMatch(/lease renewed .* ago/);
    expect(fresh.hint).toMatch(/Wait for it/);
    rewrite(dir, 'app', { renewedAt: new Date(Date.now() - 60_000).toISOString() });
    expect(holderState(locks.read('app')!).why).toMatch(/lease expired/);
    expect(locks.acquire({ app: 'app', runId: 'run-1', operation: 'resume', by: me, resuming: true }).pid).toBe(process.pid);
  });

  it('renewing keeps the lease fresh, and fails once the lock is gone', () => {
    const dir = testdir();
    const locks = new LockStore(dir);
    const held = locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: { ...me, machine: 'elsewhere' } });
    rewrite(dir, 'app', { renewedAt: new Date(Date.now() - 20_000).toISOString() });
    expect(locks.renew(held)).toBe(true);
    expect(Date.now() - Date.parse(locks.read('app')!.renewedAt)).toBeLessThan(5_000);
    locks.forceUnlock(held.id, { force: true });
    expect(locks.renew(held)).toBe(false);
    expect(locks.read('app')).toBeUndefined();
  });

  it('a parked lock (paused run) is taken back by its run from any host, and kept from others', () => {
    const locks = new LockStore(testdir());
    const held = locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: { ...me, host: 'ci-job-1', machine: 'ci-boot' } });
    locks.park(held);
    expect(locks.read('app')?.pid).toBeNull();
    expect(() => locks.acquire({ app: 'app', runId: 'run-2', operation: 'flip', by: me })).toThrow(/parked/);
    expect(locks.acquire({ app: 'app', runId: 'run-1', operation: 'resume', by: me, resuming: true }).pid).toBe(process.pid);
  });

  it('force-unlock refuses a live holder without --force, and removes it with --force', () => {
    const locks = new LockStore(testdir());
    const held = locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: me });
    expect(locks.forceUnlock('lk-nope', { force: false })).toBeUndefined();
    const refused = lockedBy(() => locks.forceUnlock(held.id, { force: false }));
    expect(refused.kind).toBe('locked');
    expect(refused.message).toContain(`pid ${process.pid}`);
    expect(refused.hint).toMatch(/--force/);
    expect(locks.forceUnlock(held.id, { force: true })?.runId).toBe('run-1');
    expect(locks.list()).toEqual([]);
    expect(() => locks.assertHeld(held)).toThrow(/was removed/);
  });

  it('clears a lock left by a run that never started or already ended, once its holder is gone', async () => {
    const phases: Record<string, 'absent' | 'active' | 'ended'> = { never: 'absent', over: 'ended', going: 'active' };
    const locks = new LockStore(testdir(), (runId) => phases[runId]!);
    const dead = await deadPid();
    for (const runId of ['never', 'over']) {
      const left = locks.acquire({ app: runId, runId, operation: 'flip', by: { ...me, pid: dead } });
      expect(locks.acquire({ app: runId, runId: 'next', operation: 'flip', by: me }).id).not.toBe(left.id);
    }
    locks.acquire({ app: 'busy', runId: 'going', operation: 'flip', by: { ...me, pid: dead } });
    expect(lockedBy(() => locks.acquire({ app: 'busy', runId: 'next', operation: 'flip', by: me })).hint).toMatch(/Continue that run with `release resume going`/);
    // A run that is only starting (holder alive) keeps its lock.
    locks.acquire({ app: 'starting', runId: 'never', operation: 'flip', by: me });
    expect(lockedBy(() => locks.acquire({ app: 'starting', runId: 'next', operation: 'flip', by: me })).hint).toMatch(/Wait for it/);
  });

  it('lock files appear whole: an empty or torn one (an older release killed mid-write) reserves nothing', () => {
    const dir = testdir();
    writeSync(`${dir}/app.lock.json`, '');
    const locks = new LockStore(dir);
    expect(locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: me }).runId).toBe('run-1');
    expect(JSON.parse(readFileSync(`${dir}/app.lock.json`, 'utf8'))).toMatchObject({ runId: 'run-1', epoch: 1 });
    expect(readdirSync(dir).filter((n) => n.includes('tmp') || n.endsWith('.mutex'))).toEqual([]);
  });
});
