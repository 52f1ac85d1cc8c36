/**
 * Scenario B step 3: put up the wall before the breaking backend goes out — the maintenance
 * screen, or for apps without one a force-update via minimum_version.
 */
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { defineConfigAction } from './config-step.js';

const Input = z.strictObject({
  wall: described(z.optional(z.enum(['maintenance', 'minimum-version'])), 'Default: app.wall in the release config'),
});

export default defineConfigAction({
  input: Input,
  targets(input, { release }) {
    const wall = input.wall ?? release.wall;
    if (wall === 'maintenance') return { values: { [release.keys.maintenance]: true } };
    return { values: Object.fromEntries(release.platforms.map((p) => [release.keys[p].minimum, release.version])) };
  },
});
