/**
 * Scenario B step 1: the release must not lower what is live (version-checks.ts), and the new
 * version must wait for us after review. Automatic publishing would
 * put 2.0.0 live at 3 AM on a weekend, against the old backend. App Store: releaseType must read
 * back MANUAL (the run offers to set it while the version is editable). Google Play: the API cannot
 * read the managed-publishing switch, so a person attests it, on the record.
 */
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { ActionError, type StepContext } from '../engine/action.js';
import { PLATFORM_NAMES, type StoreRelease } from '../providers/stores/port.js';
import { defineAction, type ActionEnv } from './env.js';
import { describeRelease, readInternalTesting, readReleases, storeFor } from './stores.js';
import { checkLiveVersions } from './version-checks.js';

const Input = z.strictObject({
  'internal-tracks': described(z._default(z.boolean(), true), 'Also require the build on TestFlight / Play internal testing'),
});

export const RELEASE_TYPE_GATE = 'ios-release-type';
export const MANAGED_PUBLISHING_GATE = 'play-managed-publishing';

interface Findings {
  notes: string[];
  blockers: string[];
}

async function inspect(env: ActionEnv, internalTracks: boolean, signal: AbortSignal): Promise<{ releases: StoreRelease[] } & Findings> {
  const [releases, testing] = await Promise.all([readReleases(env, signal), internalTracks ? readInternalTesting(env, signal) : []]);
  const notes: string[] = [];
  const blockers: string[] = [];
  for (const r of releases) {
    const name = PLATFORM_NAMES[r.platform];
    notes.push(`${describeRelease(r)}; manual publishing ${r.manualPublishing}`);
    if (r.state === 'not-submitted') blockers.push(`${name}: ${r.version} is not submitted for review`);
    if (r.state === 'live' || r.state === 'releasing') blockers.push(`${name}: ${r.version} is already released (${r.storeState}), so the flip can no longer be timed`);
    if (r.manualPublishing === 'off' && r.manualPublishingSettable) notes.push(`${name}: manual publishing is off; the run will ask to switch it on (gate ${RELEASE_TYPE_GATE})`);
    if (r.manualPublishing === 'off' && !r.manualPublishingSettable) {
      blockers.push(`${name}: manual publishing is off and can no longer be changed for ${r.version} (${r.storeState}) — the store would publish it the moment review passes`);
    }
    if (r.manualPublishing === 'unverifiable') notes.push(`${name}: the API cannot show managed publishing; a person attests it (gate ${MANAGED_PUBLISHING_GATE}, or --attest ${MANAGED_PUBLISHING_GATE})`);
  }
  for (const t of testing) {
    notes.push(`${PLATFORM_NAMES[t.platform]}: ${t.detail}`);
    if (!t.ready) blockers.push(`${PLATFORM_NAMES[t.platform]}: internal testers cannot get ${env.release.version}: ${t.detail}`);
  }
  return { releases, notes, blockers };
}

async function switchOn(r: StoreRelease, ctx: StepContext<ActionEnv>): Promise<string> {
  const store = storeFor(ctx.env, r.platform);
  const decision = await ctx.gate({
    gate: RELEASE_TYPE_GATE,
    title: `Switch ${store.storeName} to manual release for ${r.version} (it would otherwise publish the moment review passes)`,
    instructions: [`Approving sets releaseType to MANUAL through the API and reads it back.`],
  });
  if (!decision.approved) throw new ActionError(`manual release not switched on (declined by ${decision.by})`, { retryable: false });
  await store.setManualPublishing!(r.version, ctx.signal);
  const after = await store.readRelease(r.version, ctx.signal);
  if (after.manualPublishing !== 'on') throw new ActionError(`${store.storeName} still reports manual publishing ${after.manualPublishing} after the change`, { retryable: false });
  return `switched to MANUAL (approved by ${decision.by})`;
}

async function attest(r: StoreRelease, ctx: StepContext<ActionEnv>): Promise<string> {
  const store = storeFor(ctx.env, r.platform);
  const decision = await ctx.gate({
    gate: MANAGED_PUBLISHING_GATE,
    title: `Attest that Managed publishing is ON for ${r.version} in the ${store.storeName} console`,
    instructions: [
      `Open ${store.consoleLink?.(r.version) ?? 'the console'} > Publishing overview: "Managed publishing" must be on.`,
      `${store.storeName}'s API cannot read this switch (https://support.google.com/googleplay/android-developer/answer/9543912); your attestation is journaled with your name.`,
      `What the API shows: ${r.storeState} (not published).`,
    ],
  });
  if (!decision.approved) throw new ActionError(`managed publishing not attested (${decision.by} said no)`, { retryable: false });
  return `attested by ${decision.by}`;
}

export default defineAction({
  input: Input,

  async plan(input, ctx) {
    // The flip's first step is where the release meets the live world, before anything changes.
    const [{ notes, blockers }, versions] = await Promise.all([inspect(ctx.env, input['internal-tracks'], ctx.signal), checkLiveVersions(ctx.env, ctx.signal)]);
    return {
      summary: 'check the live versions, manual publishing and internal tracks',
      changes: [],
      notes: [...versions.notes, ...notes],
      blockers: blockers.length ? blockers : undefined,
      invalid: versions.problems.length ? versions.problems : undefined,
    };
  },

  async run(input, _plan, ctx) {
    const { releases, notes, blockers } = await inspect(ctx.env, input['internal-tracks'], ctx.signal);
    if (blockers.length) {
      throw new ActionError(blockers.join('; '), {
        retryable: false,
        hint: 'Set manual release (App Store Connect: "Manually release this version"; Play Console: Managed publishing) and submit to the internal tracks, then start again.',
      });
    }
    notes.forEach((n) => ctx.progress(n));
    const result: Record<string, string> = {};
    for (const r of releases) {
      if (r.manualPublishing === 'on') result[r.platform] = 'on';
      else if (r.manualPublishing === 'unverifiable') result[r.platform] = await attest(r, ctx);
      else result[r.platform] = await switchOn(r, ctx);
    }
    return result;
  },
});
