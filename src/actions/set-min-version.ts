/**
 * Damage control: raise the floor (001 §2). `minimum_version` up to a version, e.g. to block a
 * release with a known bug; apps below it meet the force-update wall. Never lowered unasked,
 * never above latest_version, never above the version live on that store (apps would be sent to
 * an update that does not exist yet).
 */
import semver from '../util/semver.js';
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { currentValue } from '../providers/config/compare-and-set.js';
import type { JsonValue } from '../util/json-path.js';
import { liveVersionOf } from '../util/versions.js';
import { defineConfigAction } from './config-step.js';
import { storeFor } from './stores.js';

const Input = z.strictObject({
  version: z.string().check(z.refine((v) => semver.valid(v) === v, 'a semantic version such as 2.0.1 (no "v", three numbers)')),
  platform: described(z._default(z.enum(['ios', 'android', 'both']), 'both'), 'one platform, or both (every platform of the app)'),
  reason: z.string().check(z.minLength(1)),
});

export default defineConfigAction({
  input: Input,
  async targets(input, env, doc, ctx) {
    const { release } = env;
    const platforms = input.platform === 'both' ? release.platforms : release.platforms.filter((p) => p === input.platform);
    if (!platforms.length) return { values: {}, invalid: [`this app has no ${input.platform} platform`], blockers: [`this app has no ${input.platform} platform`] };
    const values: Record<string, JsonValue> = {};
    const invalid: string[] = [];
    const notes = [`reason: ${input.reason}`];
    for (const platform of platforms) {
      const { minimum, latest } = release.keys[platform];
      values[minimum] = input.version;
      const was = liveVersionOf(currentValue(doc, minimum));
      const top = liveVersionOf(currentValue(doc, latest));
      if (was && semver.lt(input.version, was)) {
        if (release.allowLowerVersion) notes.push(`${minimum} goes down from ${was} to ${input.version} (allowed by --allow-lower-version)`);
        else invalid.push(`${minimum} is ${was}: ${input.version} would lower it and let walled-off apps back in; pass --allow-lower-version if that is meant`);
      }
      if (top && semver.gt(input.version, top)) invalid.push(`${minimum} ${input.version} would be above ${latest} ${top}: apps would be sent to update past the latest version`);
      const store = storeFor(env, platform);
      const live = store.liveVersion ? await store.liveVersion(ctx.signal) : undefined;
      if (live === null) invalid.push(`${store.storeName} has no version live: no floor can point at it`);
      else if (live && semver.gt(input.version, live)) invalid.push(`${store.storeName} has ${live} live: a floor of ${input.version} would send users to an update they cannot get`);
      else if (live === undefined) notes.push(`${store.storeName}: its live version cannot be read, so the floor was not compared with it`);
    }
    return { values, invalid, blockers: invalid, notes };
  },
});
