/**
 * Scenario B step 7 (exit-maintenance) and Scenario A's last step: raise minimum_version and
 * latest_version to the new version on every platform and, in the same single write, clear
 * maintenance. Only once every store reports the version live: otherwise old apps would be sent
 * to update to a version they cannot get.
 */
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { PLATFORM_NAMES } from '../providers/stores/port.js';
import { defineConfigAction } from './config-step.js';
import { describeRelease, readReleases } from './stores.js';
import { configFindings } from './version-checks.js';

const Input = z.strictObject({
  maintenance: described(z._default(z.enum(['off', 'unchanged']), 'off'), 'Clear maintenance mode in the same write'),
  latest: described(z._default(z.boolean(), true), 'Also raise latest_version'),
  minimum: described(z._default(z.boolean(), true), 'Raise minimum_version (false: only latest_version, a soft update prompt)'),
});

export default defineConfigAction({
  input: Input,
  targets(input, { release }, doc) {
    const values: Record<string, string | boolean> = {};
    for (const p of release.platforms) {
      if (input.minimum) values[release.keys[p].minimum] = release.version;
      if (input.latest) values[release.keys[p].latest] = release.version;
    }
    // The write that sets the versions is checked too: Scenario A has no earlier check.
    const versions = configFindings(doc, values, release);
    if (input.maintenance === 'off') values[release.keys.maintenance] = false;
    return { values, notes: versions.notes, invalid: versions.problems };
  },
  async precondition(_input, ctx) {
    const releases = await readReleases(ctx.env, ctx.signal);
    return releases
      .filter((r) => r.state !== 'live')
      .map((r) => `${PLATFORM_NAMES[r.platform]} is not live yet (${describeRelease(r)}): old apps would be sent to an update they cannot get`);
  },
});
