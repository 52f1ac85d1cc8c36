/** Scenario B step 2 / A step 2: wait until review approved the version on every store. */
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { ActionError } from '../engine/action.js';
import { pollUntil } from '../util/poll.js';
import { Duration } from '../playbook/duration-input.js';
import { PLATFORM_NAMES, type StoreRelease } from '../providers/stores/port.js';
import { defineAction } from './env.js';
import { describeRelease, readReleases } from './stores.js';

const Input = z.strictObject({
  'accept-live': described(z._default(z.boolean(), false), 'A version already live counts as approved (Scenario A)'),
  'poll-interval': described(z._default(Duration, 60_000), 'First delay between checks; grows to 5x with jitter'),
});

function problems(releases: StoreRelease[], acceptLive: boolean): string[] {
  return releases.flatMap((r) => {
    const name = PLATFORM_NAMES[r.platform];
    if (r.state === 'rejected') return [`${name} rejected ${r.version}: ${r.rejectionReason ?? r.storeState}`];
    if (r.state === 'not-submitted') return [`${name}: ${r.version} is not submitted for review`];
    if ((r.state === 'live' || r.state === 'releasing') && !acceptLive) return [`${name}: ${r.version} is already released (${r.storeState}): manual publishing was not respected`];
    return [];
  });
}

const ready = (r: StoreRelease, acceptLive: boolean) => r.state === 'approved' || (acceptLive && (r.state === 'live' || r.state === 'releasing'));

export default defineAction({
  input: Input,

  async plan(input, ctx) {
    const releases = await readReleases(ctx.env, ctx.signal);
    const waiting = releases.filter((r) => !ready(r, input['accept-live']));
    const blockers = problems(releases, input['accept-live']);
    return {
      summary: waiting.length ? `wait for ${waiting.map((r) => PLATFORM_NAMES[r.platform]).join(' and ')} review` : 'approved on every store',
      // Not ours to change, but what the step waits for: later steps plan against it.
      changes: waiting.filter((r) => r.state === 'in-review').map((r) => ({ target: 'store' as const, platform: r.platform, before: r.state, after: 'approved' })),
      notes: releases.map(describeRelease),
      blockers: blockers.length ? blockers : undefined,
    };
  },

  async run(input, _plan, ctx) {
    return pollUntil({
      what: 'review to pass on every store',
      intervalMs: input['poll-interval'],
      signal: ctx.signal,
      sleep: ctx.sleep,
      progress: ctx.progress,
      check: async () => {
        const releases = await readReleases(ctx.env, ctx.signal, ctx.progress);
        const blockers = problems(releases, input['accept-live']);
        if (blockers.length) throw new ActionError(blockers.join('; '), { retryable: false, hint: 'Fix what review asked for, resubmit, and start a new flip.' });
        if (releases.every((r) => ready(r, input['accept-live']))) return { done: true, value: { states: Object.fromEntries(releases.map((r) => [r.platform, r.storeState])) } };
        return { done: false, state: releases.map(describeRelease).join('; ') };
      },
    });
  },
});
