/**
 * Damage control after publishing: halt, resume or complete a staged rollout (Play) / phased
 * release (App Store), or set Play's fraction. Forward only: there is no undo of a publish, and
 * a halt is undone by a resume, on purpose. Each store call is idempotent (store-quirks 7, 20).
 */
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { ActionError } from '../engine/action.js';
import { errorMessage } from '../errors.js';
import { PLATFORM_NAMES, type Platform, type RolloutOperation, type RolloutStatus } from '../providers/stores/port.js';
import { defineAction, type ActionEnv } from './env.js';
import { storeFor } from './stores.js';

const Input = z
  .strictObject({
    platform: z._default(z.enum(['ios', 'android', 'all']), 'all'),
    operation: z.enum(['halt', 'resume', 'complete', 'fraction']),
    fraction: described(z.optional(z.number().check(z.gt(0), z.lt(1))), 'For operation fraction (Play only): 0 < f < 1'),
    version: described(z.optional(z.string()), 'Default: app.version'),
    reason: z.optional(z.string()),
  })
  .check(z.refine((i) => i.operation !== 'fraction' || i.fraction !== undefined, { message: 'operation fraction needs fraction: 0 < f < 1', path: ['fraction'] }));

type Input = z.output<typeof Input>;

const operationOf = (input: Input): RolloutOperation =>
  input.operation === 'fraction' ? { kind: 'fraction', fraction: input.fraction! } : { kind: input.operation };

const platformsOf = (input: Input, env: ActionEnv): Platform[] => (input.platform === 'all' ? env.release.platforms : [input.platform]);

const expected = (op: RolloutOperation): RolloutStatus['state'][] =>
  op.kind === 'halt' ? ['halted'] : op.kind === 'complete' ? ['complete'] : op.kind === 'resume' ? ['staged', 'complete'] : ['staged', 'complete'];

export default defineAction({
  input: Input,
  // No undo (action-meta.ts: forwardOnly): a failure (one store halted, the other not) stops for a human, never "rolls back".

  async plan(input, ctx) {
    const version = input.version ?? ctx.env.release.version;
    const op = operationOf(input);
    const changes = [];
    const blockers: string[] = [];
    for (const platform of platformsOf(input, ctx.env)) {
      const store = storeFor(ctx.env, platform);
      if (!store.rollout) {
        blockers.push(`${store.storeName} cannot control rollouts`);
        continue;
      }
      try {
        const now = await store.rollout.read(version, ctx.signal);
        // Play: edits.validate on the change; App Store: a read. Nothing is committed in a plan.
        await store.rollout.apply(version, op, { signal: ctx.signal, validateOnly: true });
        const predicted = op.kind === 'halt' ? 'halted' : op.kind === 'complete' ? 'complete' : op.kind === 'fraction' ? `staged ${Math.round(op.fraction * 100)}%` : 'staged';
        if (!expected(op).includes(now.state)) changes.push({ target: 'rollout' as const, platform, before: now.detail, after: predicted });
      } catch (err) {
        blockers.push(`${PLATFORM_NAMES[platform]}: ${errorMessage(err)}`);
      }
    }
    return {
      summary: `${input.operation}${input.fraction ? ` ${Math.round(input.fraction * 100)}%` : ''} rollout of ${version} on ${platformsOf(input, ctx.env).map((p) => PLATFORM_NAMES[p]).join(' and ')}`,
      changes,
      notes: input.reason ? [`reason: ${input.reason}`] : undefined,
      blockers: blockers.length ? blockers : undefined,
    };
  },

  async run(input, _plan, ctx) {
    const version = input.version ?? ctx.env.release.version;
    const result: Record<string, string> = {};
    const failures: string[] = [];
    for (const platform of platformsOf(input, ctx.env)) {
      try {
        const status = await storeFor(ctx.env, platform).rollout!.apply(version, operationOf(input), { signal: ctx.signal });
        result[platform] = status.detail;
        ctx.progress(`${PLATFORM_NAMES[platform]}: ${status.detail}`);
      } catch (err) {
        failures.push(`${PLATFORM_NAMES[platform]}: ${errorMessage(err)}`);
      }
    }
    if (failures.length) throw new ActionError(failures.join('; '), { hint: Object.keys(result).length ? `Done elsewhere: ${JSON.stringify(result)}.` : undefined });
    return result;
  },

  async verify(input, _plan, ctx) {
    const version = input.version ?? ctx.env.release.version;
    for (const platform of platformsOf(input, ctx.env)) {
      const now = await storeFor(ctx.env, platform).rollout!.read(version, ctx.signal);
      if (!expected(operationOf(input)).includes(now.state)) return { status: 'not-done' };
    }
    return { status: 'done' };
  },
});
