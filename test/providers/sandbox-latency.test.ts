/**
 * The sandbox's simulated latency: at zero a call waits for nothing (no timer: even a 0 ms timer
 * costs about 1 ms, 42 times a flip), above zero it waits, and Ctrl-C ends the wait either way.
 * The simulated server's own work (the world file) happens while the latency runs, not after it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONFIG_TEMPLATE } from '../../src/playbook/config-template.js';
import { parseReleaseConfig } from '../../src/playbook/release-config.js';
import { Sandbox } from '../../src/providers/sandbox/index.js';
import { WorldFile } from '../../src/providers/sandbox/world.js';
import { testdir } from '../helpers/testdir.js';

function seeded(latencyMs: number) {
  const parsed = parseReleaseConfig('t', CONFIG_TEMPLATE);
  if (!parsed.ok) throw new Error('template');
  const sandbox = new Sandbox(testdir(), []);
  sandbox.seed(parsed.config, { latencyMs, gates: 'auto' });
  return { sandbox, version: parsed.config.app.version };
}

function ports(latencyMs: number) {
  const { sandbox, version } = seeded(latencyMs);
  return { ...sandbox.portsFor('s', 'config/set-maintenance', 'run'), version, world: new WorldFile(sandbox.path) };
}

const elapsed = async (work: () => Promise<unknown>) => {
  const start = performance.now();
  await work();
  return performance.now() - start;
};

afterEach(() => vi.restoreAllMocks());

describe('sandbox latency', () => {
  it('at zero latency, reads and writes set no timer at all', async () => {
    const { config, backend, stores, version } = ports(0);
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const snap = await config.read();
    await config.write({ ...snap.doc, maintenance_mode: true }, { ifMatch: snap.version });
    await stores.ios!.readRelease(version);
    expect(await backend.servedVersion()).toBeTypeOf("string");
    expect((await config.read()).doc).toMatchObject({ maintenance_mode: true });
    expect(timers).not.toHaveBeenCalled();
  });

  it('at 40 ms, a read waits 40 ms; a write is one 40 ms wait from its start, its effect landing at 20 ms', async () => {
    const { config } = ports(40);
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const snap = await config.read();
    expect(timers.mock.calls.map((c) => c[1])).toEqual([40]);
    expect(await elapsed(() => config.write(snap.doc, { ifMatch: snap.version }))).toBeGreaterThanOrEqual(38);
    // Both waits start with the call: it is in flight throughout, no pause of its own halfway.
    expect(timers.mock.calls.map((c) => c[1])).toEqual([40, 40, 20]);
  });

  it('a write aborted before its halfway point changes nothing; one aborted after it has landed', async () => {
    for (const [abortAt, landed] of [[10, false], [45, true]] as const) {
      const { config, world } = ports(60);
      const snap = await config.read();
      const ctrlC = new AbortController();
      setTimeout(() => ctrlC.abort(new Error('Ctrl-C')), abortAt);
      const start = performance.now();
      await expect(config.write({ ...snap.doc, maintenance_mode: true }, { ifMatch: snap.version, signal: ctrlC.signal })).rejects.toThrow('Ctrl-C');
      expect(performance.now() - start).toBeLessThan(58); // the abort ends the wait at once
      expect(world.read().config).toMatchObject({ maintenance_mode: landed });
    }
  });

  it('an aborted signal is refused at zero latency, and ends a wait at once above it', async () => {
    const gone = AbortSignal.abort(new Error('interrupted'));
    await expect(ports(0).config.read(gone)).rejects.toThrow('interrupted');
    const { config } = ports(60_000);
    const ctrlC = new AbortController();
    setTimeout(() => ctrlC.abort(new Error('Ctrl-C')), 20);
    const reading = config.read(ctrlC.signal);
    await expect(reading).rejects.toThrow('Ctrl-C');
  });

  it('a read answers with the world as the call started, read while its latency runs', async () => {
    const { config, world } = ports(40);
    const start = performance.now();
    const reading = config.read();
    // Someone else's write lands while the answer is on its way: the answer predates it.
    world.update((w) => {
      w.config = { ...w.config, maintenance_mode: true };
    });
    const snap = await reading;
    expect(performance.now() - start).toBeGreaterThanOrEqual(38);
    expect(snap.doc).toMatchObject({ maintenance_mode: false });
    expect((await config.read()).doc).toMatchObject({ maintenance_mode: true });
  });

  it('a write lands on disk halfway, and its answer comes a half latency after that', async () => {
    const { config, world } = ports(60);
    const snap = await config.read();
    const writes: number[] = [];
    const persist = WorldFile.prototype.write;
    vi.spyOn(WorldFile.prototype, 'write').mockImplementation(function (this: WorldFile, w) {
      writes.push(performance.now());
      persist.call(this, w);
    });
    const start = performance.now();
    await config.write({ ...snap.doc, maintenance_mode: true }, { ifMatch: snap.version });
    const answered = performance.now();
    expect(writes).toHaveLength(1);
    expect(writes[0]! - start).toBeGreaterThanOrEqual(29);
    // The answer's half starts before the world file is written (the write runs while it waits):
    // measured from the call's start, both halves.
    expect(answered - start).toBeGreaterThanOrEqual(58);
    expect(world.read().config).toMatchObject({ maintenance_mode: true });
  });

  it('a failed write answers after its latency too, with the error, having changed nothing', async () => {
    const { config, world } = ports(40);
    const snap = await config.read();
    const start = performance.now();
    await expect(config.write({ ...snap.doc, maintenance_mode: true }, { ifMatch: '"cfg-0"' })).rejects.toThrow();
    expect(performance.now() - start).toBeGreaterThanOrEqual(38);
    expect(world.read().config).toMatchObject({ maintenance_mode: false });
  });

  it("the world's settings and stores are read once per run, not at every step's ports", async () => {
    const { sandbox } = seeded(0);
    const reads = vi.spyOn(WorldFile.prototype, 'read');
    for (const step of ['a', 'b', 'c']) expect(Object.keys(sandbox.portsFor(step, 'config/set-maintenance', 'run').stores).sort()).toEqual(['android', 'ios']);
    expect(reads).toHaveBeenCalledTimes(1);
  });
});
