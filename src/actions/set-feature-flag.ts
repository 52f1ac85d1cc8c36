/** Damage control: the kill switch. Turns one existing feature flag off (or on again). */
import * as z from '../util/zod-mini.js';
import { getPath, type JsonObject } from '../util/json-path.js';
import { defineConfigAction } from './config-step.js';
import type { ReleaseFacts } from './env.js';

/** The key a flag lives at, or why it is not a flag the apps read (a typo would create a new one). */
export function flagKey(doc: JsonObject, release: ReleaseFacts, flag: string): { path: string; problem?: string } {
  const flags = getPath(doc, release.keys.featureFlags);
  const known = flags && typeof flags === 'object' && !Array.isArray(flags) ? Object.keys(flags) : [];
  const path = `${release.keys.featureFlags}.${flag}`;
  if (known.includes(flag)) return { path };
  return { path, problem: `no feature flag "${flag}" under ${release.keys.featureFlags} (known: ${known.join(', ') || 'none'}); a typo would create a new flag no app reads` };
}

const Input = z.strictObject({
  flag: z.string().check(z.regex(/^[\w-]+$/, 'a flag name, e.g. enable_new_registration_flow')),
  enabled: z._default(z.boolean(), false),
  reason: z.optional(z.string()),
});

export default defineConfigAction({
  input: Input,
  targets(input, { release }, doc) {
    const { path, problem } = flagKey(doc, release, input.flag);
    return {
      values: problem ? {} : { [path]: input.enabled },
      blockers: problem ? [problem] : [],
      // A wrong name is bad input (exit 2), not a failed change.
      invalid: problem ? [problem] : [],
      notes: input.reason ? [`reason: ${input.reason}`] : [],
    };
  },
});
