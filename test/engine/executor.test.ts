import { describe, expect, it } from 'vitest';
import { ActionError, type Action } from '../../src/engine/action.js';
import { Recorder } from '../../src/engine/recorder.js';
import type { JsonObject } from '../../src/util/json-path.js';
import { effect, gateStep, harness as localHarness, harnessOn, readOnly, type BackendHarness, type FixtureWorld } from '../helpers/engine.js';
import { stateBackendsForEngineTests } from '../helpers/engine-backends.js';

const types = async (h: BackendHarness) => (await h.journaled()).map((e) => ('step' in e ? `${e.type}:${e.step}` : e.type));

/**
 * The engine's guarantees, run against every state backend: the executor sees only the port,
 * so each case must hold on local files and on PostgreSQL alike (the shared-backend model).
 */
const backends = stateBackendsForEngineTests();

describe.each(backends)('on the $name backend', ({ open }) => {
  const harness = async (steps: Parameters<typeof harnessOn>[1]) => harnessOn(await open(), steps);

  describe('Executor', () => {
    it('journals the intent before the side effect and the outcome after it', async () => {
      let seenAtEffect: string | undefined;
      const probe: Action<JsonObject, FixtureWorld> = {
        ...effect('probe'),
        async run(_i, _p, ctx) {
          const last = (await h.journaled()).at(-1)!;
          seenAtEffect = `${last.type}:${'step' in last ? last.step : ''}`;
          ctx.env.applied.add('probe');
        },
      };
      const h = await harness([{ id: 'probe', action: probe }]);
      const outcome = await h.executor().execute();
      expect(outcome).toMatchObject({ status: 'succeeded', exit: 'ok' });
      expect(seenAtEffect).toBe('step.started:probe');
      expect(await types(h)).toEqual(['run.created', 'step.started:probe', 'step.succeeded:probe', 'run.finished']);
      expect((await h.journaled())[1]).toMatchObject({ plan: { summary: 'apply probe' } });
    });

    it('before the pivot, a failure undoes every compensable step in strict reverse order', async () => {
      const h = await harness([
        { id: 'a', action: effect('a') },
        { id: 'check', action: readOnly('check') },
        { id: 'b', action: effect('b') },
        { id: 'c', action: effect('c', { fail: 'always' }), retry: { attempts: 2, delayMs: 1 } },
        { id: 'never', action: effect('never') },
      ]);
      const outcome = await h.executor().execute();
      expect(outcome).toMatchObject({ status: 'rolled_back', exit: 'rolled-back' });
      expect(h.world.log).toEqual(['run:a', 'run:check', 'run:b', 'run:c', 'run:c', 'undo:c', 'undo:b', 'undo:a']);
      expect([...h.world.applied]).toEqual([]);
      expect((await h.state()).rollback?.steps).toEqual(['c', 'b', 'a']);
      expect(outcome.message).toContain('Undone, in order: c, b, a');
    });

    it('a failed undo ends as rollback_failed listing the remaining undos; rollback retries them', async () => {
      const h = await harness([
        { id: 'a', action: effect('a') },
        { id: 'b', action: effect('b', { failUndo: 3 }) },
        { id: 'c', action: effect('c', { fail: 'always' }) },
      ]);
      const outcome = await h.executor().execute();
      expect(outcome).toMatchObject({ status: 'rollback_failed', exit: 'rollback-failed' });
      expect(outcome.message).toContain('Still to undo, in order: b, a');
      expect(h.world.applied.has('a')).toBe(true);

      const retried = await h.executor().rollback('retry');
      expect(retried).toMatchObject({ status: 'rolled_back' });
      expect(h.world.log.slice(-2)).toEqual(['undo:b', 'undo:a']);
      expect(h.world.applied.size).toBe(0);
    });

    it('settles an in-doubt step with verify: done is not run again', async () => {
      const h = await harness([{ id: 'a', action: effect('a') }]);
      await new Recorder(h.run, () => {}).record({ type: 'step.started', step: 'a', attempt: 1, plan: { summary: 'apply a', changes: [] } });
      h.world.applied.add('a'); // the effect happened; the crash came before its outcome was journaled
      const outcome = await h.executor().execute();
      expect(outcome.status).toBe('succeeded');
      expect(h.world.log).toEqual([]);
      expect((await h.journaled()).find((e) => e.type === 'step.succeeded')).toMatchObject({ settledBy: 'verify' });
    });

    it('settles an in-doubt step with verify: provably absent runs exactly once', async () => {
      const h = await harness([{ id: 'a', action: effect('a') }]);
      await new Recorder(h.run, () => {}).record({ type: 'step.started', step: 'a', attempt: 1, plan: { summary: 'apply a', changes: [] } });
      expect((await h.executor().execute()).status).toBe('succeeded');
      expect(h.world.log).toEqual(['run:a']);
    });

    it('stops for a human when verify cannot tell, and says what to check', async () => {
      const h = await harness([{ id: 'a', action: effect('a', { verify: 'unknown' }) }]);
      await new Recorder(h.run, () => {}).record({ type: 'step.started', step: 'a', attempt: 1, plan: { summary: 'apply a', changes: [] } });
      const outcome = await h.executor().execute();
      expect(outcome).toMatchObject({ status: 'needs_human', exit: 'needs-human' });
      expect(outcome.message).toContain('look at a by hand');
      expect(h.world.log).toEqual([]);
      expect((await h.state()).steps[0]!.status).toBe('unsettled');
    });

    it('after the pivot, failures are handled forward: nothing is undone', async () => {
      const h = await harness([
        { id: 'a', action: effect('a') },
        { id: 'publish', action: effect('publish', { meta: { pivot: true, compensable: false } }) },
        { id: 'after', action: effect('after', { fail: 'always' }) },
      ]);
      const outcome = await h.executor().execute();
      expect(outcome).toMatchObject({ status: 'needs_human', exit: 'needs-human' });
      expect(outcome.message).toContain('publish already went live');
      expect(h.world.log.filter((l) => l.startsWith('undo'))).toEqual([]);
      expect(outcome.hint).toContain('release resume');
    });

    it('a pivot that went live in part is not undone; one that did nothing rolls back', async () => {
      const partial = await harness([
        { id: 'a', action: effect('a') },
        { id: 'publish', action: effect('publish', { fail: 'always', partial: true, meta: { pivot: true, compensable: false } }), retry: { attempts: 3, delayMs: 1 } },
      ]);
      expect((await partial.executor().execute()).status).toBe('needs_human');
      expect(partial.world.log).toEqual(['run:a', 'run:publish']); // no retry once something is live

      const nothing = await harness([
        { id: 'a', action: effect('a') },
        { id: 'publish', action: effect('publish', { fail: 'always', meta: { pivot: true, compensable: false } }) },
      ]);
      expect((await nothing.executor().execute()).status).toBe('rolled_back');
      expect(nothing.world.log).toContain('undo:a');
    });

    it('a gate nobody can decide pauses the run; a recorded decision continues it', async () => {
      const h = await harness([
        { id: 'a', action: effect('a') },
        { id: 'signoff', action: gateStep('signoff') },
        { id: 'b', action: effect('b') },
      ]);
      const paused = await h.executor().execute();
      expect(paused).toMatchObject({ status: 'paused', exit: 'paused' });
      expect(paused.hint).toContain('release signoff');
      expect((await h.state()).waitingAt).toEqual({ gate: 'signoff', step: 'signoff' });

      await new Recorder(h.run, () => {}).record({ type: 'gate.decided', gate: 'signoff', approved: true, by: 'qa', source: 'signoff' });
      const done = await h.executor().execute();
      expect(done.status).toBe('succeeded');
      expect(h.world.log).toEqual(['run:a', 'gate:signoff:qa', 'run:b']);
    });

    it('a gate rejected on the terminal rolls back', async () => {
      const h = await harness([
        { id: 'a', action: effect('a') },
        { id: 'signoff', action: gateStep('signoff') },
      ]);
      const prompter = { confirm: async () => true, gate: async () => ({ approved: false, by: 'lead', reason: 'broken' }) };
      const outcome = await h.executor({}, prompter).execute();
      expect(outcome.status).toBe('rolled_back');
      expect((await h.journaled()).find((e) => e.type === 'gate.decided')).toMatchObject({ approved: false, by: 'lead', source: 'prompt' });
    });

    it('--wait picks up an out-of-band decision while waiting at a gate', async () => {
      const h = await harness([{ id: 'signoff', action: gateStep('signoff') }]);
      setTimeout(() => void new Recorder(h.run, () => {}).record({ type: 'gate.decided', gate: 'signoff', approved: true, by: 'ci', source: 'signoff' }), 300);
      const outcome = await h.executor({ gateWaitMs: 5000 }).execute();
      expect(outcome.status).toBe('succeeded');
      expect(h.world.log).toEqual(['gate:signoff:ci']);
    });

    it('a declined confirmation stops before the step, and resume asks again', async () => {
      const h = await harness([{ id: 'a', action: effect('a'), confirm: 'Go?' }]);
      const asked: string[] = [];
      const no = { confirm: async (m: string) => (asked.push(m), false), gate: async () => ({ approved: true, by: 'x' }) };
      expect(await h.executor({}, no).execute()).toMatchObject({ status: 'paused', exit: 'paused' });
      expect(h.world.log).toEqual([]);
      expect(asked[0]).toContain('apply a');
      const yes = { ...no, confirm: async () => true };
      expect((await h.executor({}, yes).execute()).status).toBe('succeeded');
    });

    it('--until stops after the named step, and resume continues', async () => {
      const h = await harness([
        { id: 'a', action: effect('a') },
        { id: 'b', action: effect('b') },
      ]);
      expect(await h.executor({ until: 'a' }).execute()).toMatchObject({ status: 'paused', exit: 'ok' });
      expect(h.world.log).toEqual(['run:a']);
      expect((await h.executor().execute()).status).toBe('succeeded');
      expect(h.world.log).toEqual(['run:a', 'run:b']);
    });

    it('retries a plan that failed to read, with the step\'s retry policy', async () => {
      let reads = 0;
      const flaky: Action<JsonObject, FixtureWorld> = {
        ...effect('flaky'),
        async plan() {
          reads += 1;
          if (reads < 3) throw new Error('503 from the config server');
          return { summary: 'apply flaky', changes: [] };
        },
      };
      const h = await harness([{ id: 'flaky', action: flaky, retry: { attempts: 3, delayMs: 5 } }]);
      expect((await h.executor().execute()).status).toBe('succeeded');
      expect(reads).toBe(3);
      expect(h.events.filter((e) => e.type === 'step.progress').map((e) => ('message' in e ? e.message : ''))).toEqual([
        'could not plan (503 from the config server); retrying in 1ms',
        'could not plan (503 from the config server); retrying in 1ms',
      ]);
    });

    it('retries a failing step, then succeeds', async () => {
      const h = await harness([{ id: 'a', action: effect('a', { fail: 2 }), retry: { attempts: 3, delayMs: 5 } }]);
      expect((await h.executor().execute()).status).toBe('succeeded');
      expect(h.world.log).toEqual(['run:a', 'run:a', 'run:a']);
      expect((await h.journaled()).filter((e) => e.type === 'step.attempt-failed')).toHaveLength(2);
    });

    it('an interrupt stops the running step, which resume then settles', async () => {
      const slow: Action<JsonObject, FixtureWorld> = {
        ...effect('slow'),
        run: (_i, _p, ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
      };
      const h = await harness([{ id: 'slow', action: slow }]);
      const executor = h.executor();
      const running = executor.execute();
      await new Promise((r) => setTimeout(r, 50));
      expect(executor.requestInterrupt()).toBe(true);
      expect(await running).toMatchObject({ status: 'interrupted', exit: 'interrupted' });
      expect((await h.state()).steps[0]!.status).toBe('interrupted');
    });

    it('a step timeout fails the attempt with a plain message', async () => {
      const hang: Action<JsonObject, FixtureWorld> = {
        ...effect('hang'),
        run: (_i, _p, ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
      };
      const h = await harness([{ id: 'hang', action: hang, timeoutMs: 100 }]);
      const outcome = await h.executor().execute();
      expect(outcome.status).toBe('rolled_back');
      expect(outcome.message).toContain('timed out after 100ms');
    });

    it('tells actions when the breaking backend may be live', async () => {
      const seen: boolean[] = [];
      const spy: Action<JsonObject, FixtureWorld> = { ...readOnly('spy'), run: async (_i, _p, ctx) => void seen.push(ctx.facts.backendLive) };
      const h = await harness([
        { id: 'before', action: spy },
        { id: 'deploy', action: effect('deploy', { meta: { effect: 'deploy' } }) },
        { id: 'after', action: spy },
      ]);
      await h.executor().execute();
      expect(seen).toEqual([false, true]);
    });
  });

  describe('Executor under faults in its own record', () => {
    const plan = { summary: 'apply a', changes: [{ target: 'backend' as const, before: null, after: 'a' }] };

    it('resume continues a rollback decided in the failure event itself, and never re-runs the failed step', async () => {
      const h = await harness([
        { id: 'a', action: effect('a') },
        { id: 'b', action: effect('b', { fail: 'always' }) },
      ]);
      h.world.applied.add('a');
      const rec = new Recorder(h.run, () => undefined);
      await rec.record({ type: 'step.started', step: 'a', attempt: 1, plan });
      await rec.record({ type: 'step.succeeded', step: 'a', settledBy: 'run' });
      await rec.record({ type: 'step.started', step: 'b', attempt: 1, plan: { ...plan, summary: 'apply b' } });
      // A crash right after this line: the decision is already on disk.
      await rec.record({ type: 'step.failed', step: 'b', error: { message: 'b broke' }, partial: false, decision: { then: 'rollback', reason: 'b failed', steps: ['b', 'a'] } });
      expect((await h.state()).status).toBe('rolling_back');
      const outcome = await h.executor().execute();
      expect(outcome).toMatchObject({ status: 'rolled_back', exit: 'rolled-back' });
      expect(h.world.log).toEqual(['undo:b', 'undo:a']);
    });

    it('an in-doubt step whose intent was torn (no plan) is never re-planned from the world: it stops for a human', async () => {
      const h = await harness([{ id: 'deploy', action: effect('deploy') }]);
      await new Recorder(h.run, () => undefined).record({ type: 'journal.torn', line: 2, fragment: { type: 'step.started', step: 'deploy' }, text: '{"seq":2,"prev":"…","type":"step.started","step":"deploy"' });
      const outcome = await h.executor().execute();
      expect(outcome).toMatchObject({ status: 'needs_human', exit: 'needs-human' });
      expect(outcome.message).toMatch(/intent reached the journal only in part \(line 2\)/);
      expect(h.world.log).toEqual([]);
      const rollback = await h.executor().rollback('asked');
      expect(rollback).toMatchObject({ exit: 'needs-human' });
      expect(rollback.message).toMatch(/Rollback stopped at deploy: .*line 2/);
      expect(h.world.log).toEqual([]);
    });

    it('Executor.rollback refuses once the pivot may be live, and undoes nothing', async () => {
      const h = await harness([
        { id: 'a', action: effect('a') },
        { id: 'publish', action: effect('publish', { meta: { pivot: true, compensable: false } }) },
        { id: 'after', action: effect('after', { fail: 'always' }) },
      ]);
      expect(await h.executor().execute()).toMatchObject({ exit: 'needs-human' });
      const refused = await h.executor().rollback('asked');
      expect(refused).toMatchObject({ exit: 'needs-human' });
      expect(refused.message).toMatch(/publish already went live.*Nothing was undone/);
      expect(h.world.log).not.toContain('undo:a');
      expect(h.world.applied.has('a')).toBe(true);
    });


  });

  describe('Executor at a terminal', () => {
    it('a rejection asks first, saying what it undoes; answering no asks the gate again', async () => {
      const h = await harness([
        { id: 'wall', action: effect('wall') },
        { id: 'signoff', action: gateStep('testers') },
      ]);
      const asked: string[] = [];
      const answers = [{ approved: false, by: 'qa', reason: 'login broken' }, { approved: true, by: 'qa' }];
      const prompter = {
        confirm: async (message: string) => (asked.push(message), false),
        gate: async () => answers.shift()!,
      };
      const outcome = await h.executor({}, prompter).execute();
      expect(asked).toEqual(['Reject (login broken)? It rolls back now, in order: wall.']);
      expect(outcome).toMatchObject({ status: 'succeeded' });
      expect(h.world.log).toEqual(['run:wall', 'gate:testers:qa']);
    });

    it("the failing call's next step is in the final words of a rollback", async () => {
      const failing = { ...effect('b'), async run() { throw new ActionError('store said no', { retryable: false, hint: 'Open App Store Connect and switch releaseType to MANUAL.' }); } };
      const h = await harness([{ id: 'a', action: effect('a') }, { id: 'b', action: failing }]);
      const outcome = await h.executor().execute();
      expect(outcome).toMatchObject({ exit: 'rolled-back' });
      expect(outcome.hint).toContain('Open App Store Connect and switch releaseType to MANUAL.');
      expect(outcome.live).toBeDefined();
    });
  });

  describe('Executor holds (gates the clock opens)', () => {
    const holdStep = (until: () => number) => ({
      meta: { description: 'hold', mutates: false, compensable: false, pivot: false },
      async plan() {
        return { summary: 'hold', changes: [] };
      },
      async run(_i: JsonObject, _p: unknown, ctx: { gate: (r: object) => Promise<{ approved: boolean; by: string }>; env: FixtureWorld }) {
        const end = until();
        const d = await ctx.gate({ gate: 'hold-1', title: 'hold', instructions: [], until: end, autoPollMs: 10, auto: async () => (Date.now() >= end ? { approved: true, by: 'clock', source: 'auto' } : undefined) });
        ctx.env.log.push(`held:${d.by}`);
      },
    });

    it('on a terminal a hold prompts nobody: the run waits for the clock', async () => {
      const end = Date.now() + 300;
      const h = await harness([{ id: 'hold', action: holdStep(() => end) as never }]);
      let prompted = 0;
      const prompter = { confirm: async () => (prompted++, true), gate: async () => (prompted++, { approved: true, by: 'someone' }) };
      const outcome = await h.executor({}, prompter).execute();
      expect(outcome).toMatchObject({ status: 'succeeded' });
      expect(prompted).toBe(0);
      expect(h.world.log).toEqual(['held:clock']);
      expect(Date.now()).toBeGreaterThanOrEqual(end);
    });

    it('without a terminal a hold longer than --wait pauses with the time to resume, and no sign-off in the hint', async () => {
      const end = Date.now() + 60_000;
      const h = await harness([{ id: 'hold', action: holdStep(() => end) as never }]);
      const outcome = await h.executor({ gateWaitMs: 0 }).execute();
      expect(outcome).toMatchObject({ status: 'paused', exit: 'paused' });
      expect(outcome.message).toContain(`continue at ${new Date(end).toISOString()}`);
      expect(outcome.hint).toContain('release resume');
      expect(outcome.hint).not.toContain('signoff');
    });
  });

  describe('Executor tells the truth at the end of a rollback', () => {
    it('a step that changed something and has no undo is named, never covered by "as it was"', async () => {
      const h = await harness([
        { id: 'halt-android', action: effect('halt-android', { meta: { compensable: false } }) },
        { id: 'halt-ios', action: effect('halt-ios', { fail: 'always' }) },
      ]);
      const outcome = await h.executor().execute();
      expect(outcome).toMatchObject({ exit: 'rolled-back' });
      expect(outcome.hint).toContain('Not undoable, so left as they are: halt-android');
      expect(outcome.hint).not.toContain('as it was before the run');
    });
  });

  describe('Executor: what went live stays live', () => {
    it('a pivot that partly went live is still crossed when a later attempt fails before doing anything', async () => {
      let plans = 0;
      const publish = {
        ...effect('publish', { meta: { pivot: true, compensable: false } }),
        async plan() {
          plans++;
          if (plans > 1) throw new ActionError('Android is not approved any more', { retryable: false });
          return { summary: 'publish', changes: [] };
        },
        async run(_i: JsonObject, _p: unknown, ctx: { env: FixtureWorld }) {
          ctx.env.applied.add('ios');
          throw new ActionError('iOS released, Android failed', { partial: true });
        },
      };
      const h = await harness([
        { id: 'wall', action: effect('wall') },
        { id: 'publish', action: publish as never },
      ]);
      expect(await h.executor().execute()).toMatchObject({ exit: 'needs-human' });
      const again = await h.executor().execute();
      expect(again).toMatchObject({ exit: 'needs-human' });
      expect(h.world.log).not.toContain('undo:wall');
      expect((await h.state()).steps.find((s) => s.id === 'publish')).toMatchObject({ partial: true });
      expect(await h.executor().rollback('asked')).toMatchObject({ exit: 'needs-human' });
      expect(h.world.log).not.toContain('undo:wall');
    });
  });
});

describe('Executor on local files', () => {
  it('a journal write that fails stops the run before the effect it announces', async () => {
    let ran = false;
    const h = localHarness([{ id: 'a', action: { ...effect('a'), async run() { ran = true; } } }]);
    // The file journal's own check, inside its append: a full disk there must stop the run.
    h.file.fence = () => {
      throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
    };
    await expect(h.executor().execute()).rejects.toThrow(/no space left on the device/);
    expect(ran).toBe(false);
  });
});

describe('Executor hands the views their events once the run waits', () => {
  const shown = (h: { events: { type: string }[] }) => h.events.map((e) => ('step' in e ? `${e.type}:${String(e.step)}` : e.type));

  it('not between an append and the call it announces; in journal order, all of them when execute returns', async () => {
    const atEffect: string[][] = [];
    const afterWait: string[][] = [];
    const probe: Action<JsonObject, FixtureWorld> = {
      ...effect('probe'),
      async run(_i, _p, ctx) {
        atEffect.push(shown(h));
        await new Promise((resolve) => setTimeout(resolve, 5)); // a call in flight
        afterWait.push(shown(h));
        ctx.env.applied.add('probe');
      },
    };
    const h = localHarness([{ id: 'probe', action: probe }]);
    const outcome = await h.executor().execute();
    expect(outcome.status).toBe('succeeded');
    // The intent was on disk before the effect, but the view had not been handed it yet.
    expect(h.file.read().events.map((e) => e.type)).toContain('step.started');
    expect(atEffect).toEqual([[]]);
    expect(afterWait).toEqual([['step.started:probe']]);
    expect(h.events).toEqual(h.file.read().events.slice(1));
  });

  it('a prompt draws only after the views were handed every event before it', async () => {
    const atPrompt: string[][] = [];
    const h = localHarness([
      { id: 'a', action: effect('a') },
      { id: 'b', action: effect('b'), confirm: 'Go?' },
    ]);
    const prompter = { confirm: async () => (atPrompt.push(shown(h)), true), gate: async () => ({ approved: true, by: 'x' }) };
    expect((await h.executor({}, prompter).execute()).status).toBe('succeeded');
    expect(atPrompt).toEqual([['step.started:a', 'step.succeeded:a', 'step.waiting:b']]);
  });

  it('a failing run still hands the views what it journaled before the failure', async () => {
    const h = localHarness([
      { id: 'a', action: effect('a') },
      { id: 'b', action: effect('b') },
    ]);
    let appends = 0;
    h.file.fence = () => {
      if (++appends === 3) throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
    };
    await expect(h.executor().execute()).rejects.toThrow(/no space left on the device/);
    expect(shown(h)).toEqual(['step.started:a', 'step.succeeded:a']);
  });
});
