import { execaNode } from 'execa';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { LockStore } from '../../src/engine/lock.js';
import { ReleaseError } from '../../src/errors.js';
import { testdir } from '../helpers/testdir.js';

const me = { who: 'alice', host: hostname(), pid: process.pid };

async function deadPid(): Promise<number> {
  const child = execaNode('--eval', ['0']);
  const pid = child.pid!;
  await child;
  return pid;
}

describe('LockStore', () => {
  it('gives the lock to one run; a second fails fast naming the holder', () => {
    const locks = new LockStore(testdir());
    const held = locks.acquire({ app: 'com.example', runId: 'run-1', operation: 'flip', by: me });
    let error: unknown;
    try {
      locks.acquire({ app: 'com.example', runId: 'run-2', operation: 'flip', by: { ...me, who: 'bob' } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ReleaseError);
    expect((error as ReleaseError).kind).toBe('locked');
    expect((error as ReleaseError).message).toContain('run run-1 (flip) by alice');
    expect((error as ReleaseError).message).toContain(held.id);
    locks.release(held);
    expect(locks.acquire({ app: 'com.example', runId: 'run-2', operation: 'flip', by: me }).runId).toBe('run-2');
  });

  it('lets resume of the same run take over a lock whose process died on this host', async () => {
    const locks = new LockStore(testdir());
    const pid = await deadPid();
    const old = locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: { ...me, pid } });
    expect(() => locks.acquire({ app: 'app', runId: 'run-2', operation: 'flip', by: me, resuming: true })).toThrow(/locked by run run-1/);
    const taken = locks.acquire({ app: 'app', runId: 'run-1', operation: 'resume', by: me, resuming: true });
    expect(taken).toMatchObject({ id: old.id, pid: process.pid });
  });

  it('does not take over a live holder, nor a dead one on another host', async () => {
    const locks = new LockStore(testdir());
    locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: me });
    expect(() => locks.acquire({ app: 'app', runId: 'run-1', operation: 'resume', by: me, resuming: true })).toThrow(ReleaseError);

    const other = new LockStore(testdir());
    other.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: { ...me, host: 'lost-laptop', pid: await deadPid() } });
    const error = (() => {
      try {
        other.acquire({ app: 'app', runId: 'run-1', operation: 'resume', by: me, resuming: true });
      } catch (err) {
        return err as ReleaseError;
      }
    })();
    expect(error?.hint).toMatch(/held from lost-laptop.*release force-unlock lk-/);
  });

  it('a parked lock (paused run) is taken back by its run from any host, and kept from others', () => {
    const locks = new LockStore(testdir());
    const held = locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: { ...me, host: 'ci-job-1' } });
    locks.park(held);
    expect(locks.read('app')?.pid).toBeNull();
    expect(() => locks.acquire({ app: 'app', runId: 'run-2', operation: 'flip', by: me })).toThrow(/parked/);
    expect(locks.acquire({ app: 'app', runId: 'run-1', operation: 'resume', by: me, resuming: true }).pid).toBe(process.pid);
  });

  it('force-unlock removes a lock by id', () => {
    const locks = new LockStore(testdir());
    const held = locks.acquire({ app: 'app', runId: 'run-1', operation: 'flip', by: me });
    expect(locks.forceUnlock('lk-nope')).toBeUndefined();
    expect(locks.forceUnlock(held.id)?.runId).toBe('run-1');
    expect(locks.list()).toEqual([]);
  });
});
