/**
 * Scenario B step 1: the new version must wait for us after review. Automatic publishing would
 * put 2.0.0 live at 3 AM on a weekend, against the old backend.
 */
import { z } from 'zod';
import { ActionError } from '../engine/action.js';
import { PLATFORM_NAMES, type StoreRelease } from '../providers/stores/port.js';
import { defineAction } from './env.js';
import { describeRelease, readReleases } from './stores.js';

const Input = z
  .object({
    'internal-tracks': z.boolean().default(true).describe('Also require the build on TestFlight / Play internal testing'),
  })
  .strict();

function inspect(releases: StoreRelease[], internalTracks: boolean): { notes: string[]; blockers: string[] } {
  const notes: string[] = [];
  const blockers: string[] = [];
  for (const r of releases) {
    const name = PLATFORM_NAMES[r.platform];
    notes.push(`${describeRelease(r)}; manual publishing ${r.manualPublishing}; ${r.internalTesting.detail}`);
    if (r.state === 'not-submitted') blockers.push(`${name}: ${r.version} is not submitted for review`);
    if (r.state === 'live') blockers.push(`${name}: ${r.version} is already live, so the flip can no longer be timed`);
    if (r.manualPublishing === 'off') {
      blockers.push(`${name}: manual publishing is off — the store would publish ${r.version} the moment review passes`);
    }
    if (internalTracks && !r.internalTesting.ready) blockers.push(`${name}: internal testers cannot get ${r.version}: ${r.internalTesting.detail}`);
  }
  return { notes, blockers };
}

export default defineAction({
  input: Input,
  meta: { description: 'Check that both stores hold the new version for manual publishing and on the internal tracks', mutates: false, compensable: false, pivot: false },

  async plan(input, ctx) {
    const { notes, blockers } = inspect(await readReleases(ctx.env, ctx.signal), input['internal-tracks']);
    return { summary: 'check manual publishing and internal tracks', changes: [], notes, blockers: blockers.length ? blockers : undefined };
  },

  async run(input, _plan, ctx) {
    const releases = await readReleases(ctx.env, ctx.signal);
    const { notes, blockers } = inspect(releases, input['internal-tracks']);
    if (blockers.length) {
      throw new ActionError(blockers.join('; '), {
        retryable: false,
        hint: 'Set manual release (App Store Connect: "Manually release this version") / managed publishing (Play Console) and submit to the internal tracks, then start again.',
      });
    }
    for (const r of releases.filter((r) => r.manualPublishing === 'unverifiable')) {
      const decision = await ctx.gate({
        gate: `${r.platform}-manual-publishing`,
        title: `Attest that ${PLATFORM_NAMES[r.platform]} managed publishing is on`,
        instructions: [`The ${PLATFORM_NAMES[r.platform]} API cannot show this switch: check it in the console and attest.`],
      });
      if (!decision.approved) throw new ActionError(`managed publishing not attested by ${decision.by}`, { retryable: false });
    }
    notes.forEach((n) => ctx.progress(n));
    return { checked: releases.map((r) => r.platform) };
  },
});
