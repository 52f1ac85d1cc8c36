/**
 * One suite, every state backend (Terraform's shared backend tests are the model): the engine's
 * guarantees hold whatever stores the state. Each backend's store is real (files in a temporary
 * directory; a PostgreSQL server this file starts), and "another process" is a second handle
 * opened on the same store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JournalDamagedError } from '../../src/engine/journal.js';
import { LockLostError, type LockInfo } from '../../src/engine/lock.js';
import { KEPT_FILES, type StateBackend } from '../../src/engine/state-backend.js';
import { newRunId } from '../../src/engine/runs.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { usePostgres } from '../helpers/postgres.js';
import { localFactory, markerOf, postgresFactory, recorded, type BackendFactory } from '../helpers/state-backends.js';

const server = usePostgres();
const opened: StateBackend[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
});

const factories: BackendFactory[] = [localFactory, postgresFactory(server, opened)];

function lockOf(app: string, runId: string, epoch: number, extra: Partial<LockInfo> = {}): LockInfo {
  const now = new Date().toISOString();
  return { id: `lk-${runId.slice(-8)}`, app, runId, operation: 'flip', who: 'test', host: 'here', pid: null, epoch, created: now, renewedAt: now, leaseMs: 30_000, ...extra };
}

describe.each(factories)('state backend: $name', (factory) => {
  it('creates a run once: a second create of the same id fails; runs are listed sorted and can be discarded', async () => {
    const { backend, another } = await factory.open();
    const [a, b] = [newRunId(new Date('2026-11-21T10:00:00Z')), newRunId(new Date('2026-11-21T09:00:00Z'))];
    await backend.createRun(a);
    await backend.createRun(b);
    await expect(backend.createRun(a)).rejects.toThrow();
    await expect((await another()).createRun(a)).rejects.toThrow();
    expect(await backend.runIds()).toEqual([b, a]);
    expect(await backend.hasRun(a)).toBe(true);
    await backend.discardRun(a);
    expect(await backend.hasRun(a)).toBe(false);
    expect(await backend.runIds()).toEqual([b]);
  });

  it('two processes creating the same run at once: exactly one succeeds', async () => {
    const { backend, another } = await factory.open();
    const others = await Promise.all([another(), another(), another()]);
    const runId = newRunId();
    const settled = await Promise.allSettled([backend, ...others].map((b) => b.createRun(runId)));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    expect(await backend.runIds()).toEqual([runId]);
  });

  it('appends sealed events in order and reads them back verified, secrets masked', async () => {
    const { backend, another } = await factory.open();
    const runId = newRunId();
    await backend.createRun(runId);
    const journal = backend.journal(runId, (text) => text.replaceAll('hunter2', '***'));
    const first = await journal.append(recorded(runId, 1, { token: 'Bearer hunter2' }));
    const second = await journal.append(recorded(runId, 2));
    expect([first.seq, second.seq]).toEqual([1, 2]);
    expect(first).toMatchObject({ record: { token: 'Bearer ***' } });
    const read = await (await another()).journal(runId).read();
    expect(read.damage).toBeUndefined();
    expect(read.events.map((e) => [e.seq, markerOf(e)])).toEqual([[1, 1], [2, 2]]);
    expect(JSON.stringify(read.events)).not.toContain('hunter2');
  });

  it('compare-and-set: writers racing for the same seq each get their own line, the chain intact', async () => {
    const { backend, another } = await factory.open();
    const runId = newRunId();
    await backend.createRun(runId);
    const writers = [backend.journal(runId), (await another()).journal(runId), (await another()).journal(runId)];
    await writers[0]!.append(recorded(runId, 'start'));
    // Each writer has read up to seq 1 and believes seq 2 is next: they all race for it.
    await Promise.all(writers.map((w) => w.read()));
    const results = await Promise.all(writers.flatMap((w, i) => Array.from({ length: 5 }, (_, k) => w.append(recorded(runId, `w${i}-${k}`)))));
    const read = await (await another()).journal(runId).read();
    expect(read.damage).toBeUndefined();
    expect(read.events.map((e) => e.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const names = read.events.map((e) => String(markerOf(e)));
    expect(new Set(names).size).toBe(16);
    expect(names.filter((n) => n.startsWith('w')).sort()).toEqual(writers.flatMap((_, i) => Array.from({ length: 5 }, (_, k) => `w${i}-${k}`)).sort());
    // What each append returned is what was stored at its seq.
    for (const r of results) expect(read.events[r.seq! - 1]).toEqual(r);
  });

  it('readSince returns only what is new, and a reader checks only what it has not seen', async () => {
    const { backend, another, editLine } = await factory.open();
    const runId = newRunId();
    await backend.createRun(runId);
    const writer = backend.journal(runId);
    for (let i = 1; i <= 30; i++) await writer.append(recorded(runId, i));
    const reader = (await another()).journal(runId);
    expect((await reader.readSince(0)).events).toHaveLength(30);
    await writer.append(recorded(runId, 31));
    const since = await reader.readSince(30);
    expect(since.events.map((e) => e.seq)).toEqual([31]);
    expect(since.damage).toBeUndefined();
    // An edit of a line this reader verified already (same length: a file's offsets hold) is not
    // read again: the cost is what is new...
    await editLine(runId, 5, (line) => line.replace('"n":5}', '"n":6}'));
    await writer.append(recorded(runId, 32));
    expect((await reader.readSince(31)).damage).toBeUndefined();
    // ...and a reader that opens the journal afresh verifies every line and finds it.
    const fresh = await (await another()).journal(runId).read();
    expect(fresh.damage).toMatchObject({ line: 5 });
    expect(fresh.events).toHaveLength(4);
  });

  it('fence: once another epoch holds the lock, an append fails with LockLostError and stores nothing', async () => {
    const { backend, another } = await factory.open();
    const runId = newRunId();
    await backend.createRun(runId);
    const mine = lockOf('shop', runId, 1);
    await backend.locks.change('shop', () => ({ next: mine, result: undefined }));
    const journal = backend.journal(runId);
    journal.fence = { app: 'shop', runId, lockId: mine.id, epoch: 1 };
    await journal.append(recorded(runId, 'held'));

    // Another process takes the lock over (a resume elsewhere): epoch 2.
    const other = await another();
    await other.locks.change('shop', (current) => ({ next: { ...current!, epoch: current!.epoch + 1, host: 'elsewhere' }, result: undefined }));
    const lost = await journal.append(recorded(runId, 'after takeover')).catch((err: unknown) => err);
    expect(lost).toBeInstanceOf(LockLostError);
    expect((lost as LockLostError).now).toMatchObject({ epoch: 2, host: 'elsewhere' });

    // Removed (force-unlock): still lost.
    await other.locks.change('shop', () => ({ next: null, result: undefined }));
    const removed = await journal.append(recorded(runId, 'after removal')).catch((err: unknown) => err);
    expect(removed).toBeInstanceOf(LockLostError);
    expect((removed as LockLostError).now).toBeUndefined();

    const read = await other.journal(runId).read();
    expect(read.events.map((e) => markerOf(e))).toEqual(['held']);
  });

  it('LockRecords.change is mutually exclusive: concurrent changes from two processes lose no update', async () => {
    const { backend, another } = await factory.open();
    const other = await another();
    const runId = newRunId();
    await backend.locks.change('shop', () => ({ next: lockOf('shop', runId, 0), result: undefined }));
    const bump = (b: StateBackend) =>
      b.locks.change('shop', (current) => {
        const next = { ...current!, epoch: current!.epoch + 1 };
        return { next, result: next.epoch };
      });
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => bump(i % 2 ? other : backend)));
    expect(results.sort((x, y) => x - y)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect((await other.locks.read('shop'))?.epoch).toBe(24);
  });

  it('locks: read, list, leave alone, remove', async () => {
    const { backend, another } = await factory.open();
    const other = await another();
    expect(await backend.locks.read('shop')).toBeUndefined();
    const a = lockOf('shop', newRunId(), 1);
    const b = lockOf('shop#damage-control', newRunId(), 1);
    await backend.locks.change(a.app, () => ({ next: a, result: undefined }));
    await backend.locks.change(b.app, () => ({ next: b, result: undefined }));
    expect(await other.locks.read('shop')).toEqual(a);
    expect((await other.locks.list()).map((l) => l.app).sort()).toEqual(['shop', 'shop#damage-control']);
    const seen = await other.locks.change('shop', (current) => ({ result: current?.id }));
    expect(seen).toBe(a.id);
    expect(await backend.locks.read('shop')).toEqual(a);
    await other.locks.change('shop', () => ({ next: null, result: undefined }));
    expect(await backend.locks.read('shop')).toBeUndefined();
    expect((await backend.locks.list()).map((l) => l.app)).toEqual(['shop#damage-control']);
  });

  it('kept files (the sandbox world) travel with the run to another process', async () => {
    const { backend, another } = await factory.open();
    const runId = newRunId();
    await backend.createRun(runId);
    const dir = await backend.runDir(runId);
    const name = KEPT_FILES[0];
    writeFileSync(join(dir, name), JSON.stringify({ config: { maintenance_mode: true } }));
    const journal = backend.journal(runId);
    await journal.append(recorded(runId, 'wall up'));
    const elsewhere = await another();
    const theirs = await elsewhere.runDir(runId);
    expect(JSON.parse(readFileSync(join(theirs, name), 'utf8'))).toEqual({ config: { maintenance_mode: true } });
    // Changed there and appended there: back here on the next open.
    writeFileSync(join(theirs, name), JSON.stringify({ config: { maintenance_mode: false } }));
    await elsewhere.journal(runId).append(recorded(runId, 'wall down'));
    const third = await another();
    expect(JSON.parse(readFileSync(join(await third.runDir(runId), name), 'utf8'))).toEqual({ config: { maintenance_mode: false } });
  });

  it('damage: a hand-edited line is found, named by its line, and nothing is appended after it', async () => {
    const { backend, another, editLine } = await factory.open();
    const runId = newRunId();
    await backend.createRun(runId);
    const journal = backend.journal(runId);
    for (let i = 1; i <= 4; i++) await journal.append(recorded(runId, i));
    await editLine(runId, 3, (line) => line.replace('"n":3', '"n":33'));
    const other = await another();
    const read = await other.journal(runId).read();
    expect(read.damage).toMatchObject({ line: 3, problem: expect.stringContaining('checksum') });
    expect(read.events.map((e) => e.seq)).toEqual([1, 2]);
    await expect(other.journal(runId).append(recorded(runId, 5))).rejects.toBeInstanceOf(JournalDamagedError);
    // A repair sets the damaged journal aside and keeps its verified prefix: appends go on from there.
    const repaired = other.journal(runId);
    await repaired.setAside('test');
    const after = await repaired.read();
    expect(after.damage).toBeUndefined();
    expect(after.events.map((e) => e.seq)).toEqual([1, 2]);
    expect((await repaired.append(recorded(runId, 'after repair'))).seq).toBe(3);
  });
});
