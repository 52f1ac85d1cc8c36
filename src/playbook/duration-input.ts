/**
 * A duration as a person writes it in YAML (`15m`, or a number of milliseconds), to milliseconds:
 * the one transform of the playbooks' `Duration` (classic zod, schema.ts) and the release config's
 * (zod/mini, release-config.ts), so both read a duration alike and say the same when it is wrong.
 */
import { parseDuration } from '../util/duration.js';
import { NEVER, type core } from '../util/zod-mini.js';

export function toMilliseconds(value: string | number, ctx: core.ParsePayload): number {
  try {
    return parseDuration(value);
  } catch (err) {
    ctx.issues.push({ code: 'custom', message: (err as Error).message, input: value });
    return NEVER;
  }
}
