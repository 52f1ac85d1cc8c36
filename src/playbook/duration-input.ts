/**
 * A duration as a person writes it in YAML (`15m`, or a number of milliseconds), to milliseconds:
 * the one schema for it, in the playbooks (schema.ts), the actions' inputs and the release config
 * (release-config.ts), so every file reads a duration alike and says the same when it is wrong.
 */
import { parseDuration } from '../util/duration.js';
import * as z from '../util/zod-mini.js';
import { NEVER, type core } from '../util/zod-mini.js';

/** A duration in milliseconds, written `15m` or as a number. */
export const Duration = z.pipe(z.union([z.string(), z.number()]), z.transform(toMilliseconds));

export function toMilliseconds(value: string | number, ctx: core.ParsePayload): number {
  try {
    return parseDuration(value);
  } catch (err) {
    ctx.issues.push({ code: 'custom', message: (err as Error).message, input: value });
    return NEVER;
  }
}
