/** Damage control: the kill switch. Turns one existing feature flag off (or on again). */
import { z } from 'zod';
import { getPath } from '../util/json-path.js';
import { defineConfigAction } from './config-step.js';

const Input = z
  .object({
    flag: z.string().regex(/^[\w-]+$/, 'a flag name, e.g. enable_new_registration_flow'),
    enabled: z.boolean().default(false),
    reason: z.string().optional(),
  })
  .strict();

export default defineConfigAction({
  input: Input,
  meta: { description: 'Set one existing feature flag (the kill switch)' },
  targets(input, { release }, doc) {
    const flags = getPath(doc, release.keys.featureFlags);
    const known = flags && typeof flags === 'object' && !Array.isArray(flags) ? Object.keys(flags) : [];
    const blockers = known.includes(input.flag)
      ? []
      : [`no feature flag "${input.flag}" under ${release.keys.featureFlags} (known: ${known.join(', ') || 'none'}); a typo would create a new flag no app reads`];
    return {
      values: known.includes(input.flag) ? { [`${release.keys.featureFlags}.${input.flag}`]: input.enabled } : {},
      blockers,
      // A wrong name is bad input (exit 2), not a failed change.
      invalid: blockers,
      notes: input.reason ? [`reason: ${input.reason}`] : [],
    };
  },
});
