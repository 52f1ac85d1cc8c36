/**
 * The sandbox's simulated latency: at zero a call waits for nothing (no timer: even a 0 ms timer
 * costs about 1 ms, 42 times a flip), above zero it waits, and Ctrl-C ends the wait either way.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONFIG_TEMPLATE } from '../../src/playbook/config-template.js';
import { parseReleaseConfig } from '../../src/playbook/release-config.js';
import { Sandbox } from '../../src/providers/sandbox/index.js';
import { testdir } from '../helpers/testdir.js';

function ports(latencyMs: number) {
  const parsed = parseReleaseConfig('t', CONFIG_TEMPLATE);
  if (!parsed.ok) throw new Error('template');
  const sandbox = new Sandbox(testdir(), []);
  sandbox.seed(parsed.config, { latencyMs, gates: 'auto' });
  return { ...sandbox.portsFor('s', 'config/set-maintenance', 'run'), version: parsed.config.app.version };
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

  it('at 40 ms, a read waits 40 ms and a write spends 40 ms in two halves', async () => {
    const { config } = ports(40);
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const snap = await config.read();
    expect(timers.mock.calls.map((c) => c[1])).toEqual([40]);
    expect(await elapsed(() => config.write(snap.doc, { ifMatch: snap.version }))).toBeGreaterThanOrEqual(38);
    expect(timers.mock.calls.map((c) => c[1])).toEqual([40, 20, 20]);
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
});
