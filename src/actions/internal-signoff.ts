/**
 * Scenario B step 5: internal testers verify the new app (TestFlight, Play internal testing)
 * against the new backend. A gate: it waits for a person, and a "no" rolls everything back.
 */
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { ActionError } from '../engine/action.js';
import { defineAction, type ActionEnv } from './env.js';
import { readInternalTesting } from './stores.js';
import { PLATFORM_NAMES } from '../providers/stores/port.js';

const Input = z.strictObject({
  checklist: described(z._default(z.array(z.string()), []), 'What the testers must try'),
});

export const SIGNOFF_GATE = 'internal-signoff';

async function whatToTest(env: ActionEnv, checklist: string[], signal: AbortSignal): Promise<string[]> {
  const [testing, served] = await Promise.all([readInternalTesting(env, signal), env.ports.backend.servedVersion(signal)]);
  return [
    ...testing.map((t) => `${PLATFORM_NAMES[t.platform]}: ${t.detail}`),
    `Backend: ${env.ports.backend.describe} serves ${served ?? 'an unknown version'}`,
    ...checklist.map((item) => `Check: ${item}`),
  ];
}

export default defineAction({
  input: Input,

  async plan(input, ctx) {
    return {
      summary: 'gate: internal testers verify the new app against the new backend',
      changes: [],
      notes: [`testers will check ${ctx.env.release.appName} ${ctx.env.release.version}`, ...input.checklist.map((c) => `check: ${c}`)],
    };
  },

  async run(input, _plan, ctx) {
    const title = `Internal testers verify ${ctx.env.release.appName} ${ctx.env.release.version} against the new backend`;
    const decision = await ctx.gate({
      gate: SIGNOFF_GATE,
      title,
      instructions: await whatToTest(ctx.env, input.checklist, ctx.signal),
      auto: (signal) => ctx.env.ports.signoff.autoDecide({ gate: SIGNOFF_GATE, title }, signal, ctx.progress),
    });
    if (!decision.approved) {
      throw new ActionError(`internal sign-off rejected by ${decision.by}${decision.reason ? `: ${decision.reason}` : ''}`, { retryable: false });
    }
    return { approvedBy: decision.by };
  },
});
