/**
 * Inside the transition window the last config step (raise versions, wall down) reads the
 * config document and both stores. They do not depend on each other, so they overlap; every
 * check still happens, before anything is written. Real sandbox ports with real latency, each
 * call's start and end recorded.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import raiseVersions from '../../src/actions/raise-versions.js';
import type { ActionEnv } from '../../src/actions/env.js';
import type { StepContext } from '../../src/engine/action.js';
import { factsOf } from '../../src/cli/context.js';
import { CONFIG_TEMPLATE } from '../../src/playbook/config-template.js';
import { parseReleaseConfig } from '../../src/playbook/release-config.js';
import { SANDBOX_FILE, Sandbox } from '../../src/providers/sandbox/index.js';
import { WorldFile } from '../../src/providers/sandbox/world.js';
import type { Ports } from '../../src/providers/ports.js';
import { testdir } from '../helpers/testdir.js';

const LATENCY_MS = 80;

interface Call {
  call: string;
  start: number;
  end: number;
}

/** The port, unchanged, but every call it answers leaves its start and end time in `log`. */
function timed<T extends object>(name: string, port: T, log: Call[]): T {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const start = performance.now();
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.finally(() => log.push({ call: `${name}.${String(prop)}`, start, end: performance.now() }));
      };
    },
  });
}

function world(opts: { androidLive: boolean }) {
  const parsed = parseReleaseConfig('t', CONFIG_TEMPLATE);
  if (!parsed.ok) throw new Error('template');
  const dir = testdir();
  const sandbox = new Sandbox(dir, [], LATENCY_MS);
  sandbox.seed(parsed.config, { latencyMs: LATENCY_MS, gates: 'auto' });
  // The stores as they stand after publish-stores (Android perhaps not yet).
  new WorldFile(join(dir, SANDBOX_FILE)).update((w) => {
    for (const [platform, store] of Object.entries(w.stores)) if (platform === 'ios' || opts.androidLive) store!.state = 'live';
  });
  const log: Call[] = [];
  const raw = sandbox.portsFor('exit-maintenance', 'config/raise-versions', 'run');
  const ports = {
    ...raw,
    config: timed('config', raw.config, log),
    stores: Object.fromEntries(Object.entries(raw.stores).map(([p, s]) => [p, timed(p, s!, log)])),
    metrics: undefined as never,
  } as Ports;
  const env: ActionEnv = { ports, release: factsOf(parsed.config) };
  const ctx: StepContext<ActionEnv> = {
    runId: 'r',
    stepId: 'exit-maintenance',
    env,
    facts: { backendLive: true, earlier: [] },
    signal: new AbortController().signal,
    attempt: 1,
    progress: () => {},
    sleep: async () => {},
    gate: () => Promise.reject(new Error('no gate here')),
    record: async () => {},
    records: () => [],
  };
  return { ctx, log, sandbox, input: raiseVersions.input.parse({ maintenance: 'off' }) };
}

const overlap = (a: Call, b: Call) => a.start < b.end && b.start < a.end;
const named = (log: Call[], call: string) => {
  const found = log.filter((c) => c.call === call);
  expect(found, call).toHaveLength(1);
  return found[0]!;
};

describe('config step reads in the transition window', () => {
  it('plan reads the document and both stores at once, and checks them all', async () => {
    const { ctx, log, input } = world({ androidLive: true });
    const plan = await raiseVersions.plan(input, ctx);
    const [config, ios, android] = ['config.read', 'ios.readRelease', 'android.readRelease'].map((c) => named(log, c));
    expect(overlap(config!, ios!) && overlap(config!, android!)).toBe(true);
    expect(plan.blockers).toBeUndefined();
    expect(plan.changes.map((c) => (c.target === 'config' ? c.path : c.target))).toContain('ios.minimum_version');
  });

  it('run checks both stores alongside its first read, and writes only after all of them', async () => {
    const { ctx, log, input, sandbox } = world({ androidLive: true });
    const plan = await raiseVersions.plan(input, ctx);
    log.length = 0;
    await raiseVersions.run(input, plan, ctx);
    const [config, ios, android, write] = ['config.read', 'ios.readRelease', 'android.readRelease', 'config.write'].map((c) => named(log, c));
    expect(overlap(config!, ios!) && overlap(config!, android!)).toBe(true);
    expect(write!.start).toBeGreaterThanOrEqual(Math.max(config!.end, ios!.end, android!.end));
    expect(sandbox.read().config).toMatchObject({ maintenance_mode: false, ios: { minimum_version: '2.0.0' } });
  });

  it('a store not live yet still blocks the plan, and stops the run before any write', async () => {
    const { ctx, log, input, sandbox } = world({ androidLive: false });
    const plan = await raiseVersions.plan(input, ctx);
    expect(plan.blockers?.join('\n')).toContain('Android is not live yet');
    log.length = 0;
    await expect(raiseVersions.run(input, plan, ctx)).rejects.toThrow(/Android is not live yet/);
    expect(log.map((c) => c.call)).not.toContain('config.write');
    expect(sandbox.read().effects).toEqual([]);
  });
});
