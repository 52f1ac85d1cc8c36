/** `ctx.record` / `ctx.records`: facts an action journals mid-step, durable across attempts and a new executor (resume). */
import { describe, expect, it } from 'vitest';
import { ActionError, type Action } from '../../src/engine/action.js';
import type { JsonObject } from '../../src/util/json-path.js';
import { harness, type FixtureWorld } from '../helpers/engine.js';

/** Records one "seen" per run and fails until it has seen three: what it read back decides. */
function counting(seenByRun: number[][]): Action<JsonObject, FixtureWorld> {
  return {
    meta: { description: 'fixture', mutates: false, compensable: false, pivot: false },
    async plan() {
      return { summary: 'count', changes: [] };
    },
    async run(_i, _p, ctx) {
      await ctx.record({ kind: 'seen', summary: `seen ${ctx.records().length + 1}` });
      const records = ctx.records();
      seenByRun.push(records.map((_, n) => n + 1));
      if (records.length < 3) throw new ActionError('not yet', { retryable: true });
    },
  };
}

describe('step records', () => {
  it('are journaled at once, read back with their time, and kept across retries and executors', async () => {
    const seen: number[][] = [];
    const h = harness([{ id: 'count', action: counting(seen), retry: { attempts: 2, delayMs: 1 }, onFailure: 'pause' }]);
    expect((await h.executor().execute()).exit).toBe('needs-human');
    // A second executor on the same journal (what `release resume` builds) sees both records.
    expect((await h.executor().execute()).exit).toBe('ok');
    expect(seen).toEqual([[1], [1, 2], [1, 2, 3]]);
    const step = h.state().steps[0]!;
    expect(step.records.map((r) => r.summary)).toEqual(['seen 1', 'seen 2', 'seen 3']);
    expect(step.records.every((r) => typeof r.at === 'string' && !Number.isNaN(Date.parse(r.at)))).toBe(true);
    expect(h.file.read().events.filter((e) => e.type === 'step.recorded')).toHaveLength(3);
  });
});
