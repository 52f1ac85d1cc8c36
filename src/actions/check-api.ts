/** Scenario A step 1: the new API version answers beside the old one before anyone is forced onto it. */
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { ActionError } from '../engine/action.js';
import { defineAction } from './env.js';

const Input = z.strictObject({
  apis: described(z.array(z.string()).check(z.minLength(1)), 'API versions that must answer, e.g. [v1, v2]'),
});

export default defineAction({
  input: Input,

  async plan(input, ctx) {
    const results = await Promise.all(input.apis.map(async (api) => [api, await ctx.env.ports.backend.checkApi(api, ctx.signal)] as const));
    const sick = results.filter(([, r]) => !r.healthy);
    return {
      summary: `check ${input.apis.join(', ')} answer`,
      changes: [],
      notes: results.map(([api, r]) => `${api}: ${r.detail}`),
      blockers: sick.length ? sick.map(([api, r]) => `${api} is not healthy: ${r.detail}`) : undefined,
    };
  },

  async run(input, _plan, ctx) {
    const results = await Promise.all(input.apis.map(async (api) => [api, await ctx.env.ports.backend.checkApi(api, ctx.signal)] as const));
    const sick = results.filter(([, r]) => !r.healthy);
    if (sick.length) throw new ActionError(sick.map(([api, r]) => `${api} is not healthy: ${r.detail}`).join('; '));
    return { healthy: input.apis };
  },
});
