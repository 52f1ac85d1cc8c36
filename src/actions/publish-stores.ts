/**
 * Scenario B step 6, the pivot: publish on every store at once. Nothing can be un-published, so
 * once one store is live a failure elsewhere is handled forward (exit 7), never by undoing the
 * earlier steps. Runs converge: a store already live is skipped, so a resume never publishes twice.
 */
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { ActionError, type StepContext } from '../engine/action.js';
import { errorMessage } from '../errors.js';
import { PLATFORM_NAMES, type StorePort, type StoreRelease } from '../providers/stores/port.js';
import { StoreError } from '../providers/stores/store-error.js';
import { defineAction, type ActionEnv } from './env.js';
import { describeRelease, readReleases, storeFor } from './stores.js';

const Input = z.strictObject({
  'ios-phased': described(z._default(z.boolean(), false), 'App Store phased release over 7 days'),
});

export const PLAY_PUBLISH_GATE = 'play-publish';

/** Released (live, or requested and on its way): nothing can take it back. */
const released = (r: StoreRelease) => r.state === 'live' || r.state === 'releasing';

function blockersOf(releases: StoreRelease[]): string[] {
  return releases
    .filter((r) => r.state !== 'approved' && !released(r))
    .map((r) => `${PLATFORM_NAMES[r.platform]} cannot publish: ${describeRelease(r)} (it must be approved and waiting)`);
}

async function pressPublishGate(env: ActionEnv, stores: StorePort[], ctx: StepContext<ActionEnv>): Promise<void> {
  for (const store of stores) {
    const version = env.release.version;
    const title = `Press "Publish changes" in the ${store.storeName} console for ${version}`;
    const decision = await ctx.gate({
      gate: PLAY_PUBLISH_GATE,
      title,
      instructions: [
        `Open ${store.consoleLink?.(version) ?? 'the console'} and press "Publish changes".`,
        'Warning: it publishes EVERY approved change of the app (other tracks, store listing), not only this release.',
        'The tool then polls until the store shows the version live.',
      ],
      // Each look is a store API call: at the store's poll interval, not the gate's every second.
      autoPollMs: store.pollIntervalMs,
      auto: async (signal) => {
        const release = await store.readRelease(version, signal);
        if (release.state === 'live') return { approved: true, by: store.storeName, source: 'store' };
        return env.ports.signoff.autoDecide({ gate: PLAY_PUBLISH_GATE, title }, signal);
      },
    });
    if (!decision.approved) throw new ActionError(`publishing on ${store.storeName} declined by ${decision.by}${decision.reason ? `: ${decision.reason}` : ''}`, { retryable: false });
  }
}

export default defineAction({
  input: Input,

  async plan(_input, ctx) {
    const releases = await readReleases(ctx.env, ctx.signal);
    const blockers = blockersOf(releases);
    const pending = releases.filter((r) => r.state === 'approved' || r.state === 'releasing');
    return {
      summary: pending.length ? `publish ${ctx.env.release.version} on ${pending.map((r) => PLATFORM_NAMES[r.platform]).join(' and ')}` : 'already live everywhere',
      changes: pending.map((r) => ({ target: 'store' as const, platform: r.platform, before: r.state, after: 'live' })),
      notes: releases.map(describeRelease),
      blockers: blockers.length ? blockers : undefined,
    };
  },

  async run(input, _plan, ctx) {
    const { env } = ctx;
    const releases = await readReleases(env, ctx.signal, ctx.progress);
    const live = releases.filter((r) => r.state === 'live').map((r) => r.platform);
    const blockers = blockersOf(releases);
    if (blockers.length) throw new ActionError(blockers.join('; '), { retryable: false, partial: releases.some(released) });
    const pending = releases.filter((r) => r.state !== 'live').map((r) => storeFor(env, r.platform));
    if (!pending.length) return { live };

    const waitingForPress = releases.filter((r) => r.state === 'approved').map((r) => storeFor(env, r.platform));
    await pressPublishGate(env, waitingForPress.filter((s) => s.publishing === 'console'), ctx);

    const results = await Promise.allSettled(
      pending.map((store) =>
        store.publish(env.release.version, {
          signal: ctx.signal,
          progress: (m) => ctx.progress(`${PLATFORM_NAMES[store.platform]}: ${m}`),
          phased: input['ios-phased'],
        }),
      ),
    );
    results.forEach((r, i) => r.status === 'fulfilled' && live.push(pending[i]!.platform));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${PLATFORM_NAMES[pending[i]!.platform]}: ${errorMessage(r.reason)}`] : []));
    if (!failed.length) return { live };
    // A publish can fail after the irreversible call (a release request accepted, then a timeout):
    // what the stores say now decides whether the pivot was crossed.
    const after = await readReleases(env, ctx.signal).catch(() => releases);
    const gone = after.filter(released).map((r) => r.platform);
    // A store that could not say whether it released may be live: never roll back over it.
    const unknown = results.some((r) => r.status === 'rejected' && r.reason instanceof StoreError && r.reason.info.outcome === 'unknown');
    if (unknown && !gone.length) {
      throw new ActionError(`cannot tell whether the release went out: ${failed.join('; ')}`, {
        partial: true,
        hint: 'Nothing was undone. Look in the store console; `release resume` reads the stores first and publishes only what is not live yet.',
      });
    }
    if (gone.length) {
      throw new ActionError(`${gone.map((p) => PLATFORM_NAMES[p]).join(' and ')} released, but ${failed.join('; ')}`, {
        partial: true,
        hint: `Old apps still meet the maintenance wall. Fix the failing store (or publish it in its console), then resume: it publishes only what is not live yet, then exits maintenance.`,
      });
    }
    throw new ActionError(failed.join('; '));
  },

  async verify(_input, _plan, ctx) {
    const releases = await readReleases(ctx.env, ctx.signal);
    // Partly live is "not done": run converges, skipping the stores already live.
    return releases.every((r) => r.state === 'live') ? { status: 'done' } : { status: 'not-done' };
  },
});
