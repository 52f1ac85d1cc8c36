/**
 * Scenario B step 4: deploy the breaking backend. The served version is the truth: it settles an
 * in-doubt deploy after a crash, and an undo rolls back only what is actually served.
 */
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { ActionError } from '../engine/action.js';
import { defineAction } from './env.js';

const Input = z.strictObject({
  version: described(z.optional(z.string()), 'Default: backend.version (or app.version) from the release config'),
});

export default defineAction({
  input: Input,

  async plan(input, ctx) {
    const { backend } = ctx.env.ports;
    const target = input.version ?? ctx.env.release.backendVersion;
    const served = await backend.servedVersion(ctx.signal);
    const changes = served === target ? [] : [{ target: 'backend' as const, before: served, after: target }];
    return {
      summary: changes.length ? `${backend.describe}: ${served ?? 'unknown'} -> ${target}` : `${backend.describe} already serves ${target}`,
      changes,
      notes: served === null ? [`${backend.describe} cannot tell its version: an undo cannot be verified`] : undefined,
    };
  },

  async run(_input, plan, ctx) {
    const change = plan.changes.find((c) => c.target === 'backend');
    if (!change || change.target !== 'backend') return;
    const { backend } = ctx.env.ports;
    await backend.deploy({ fromVersion: change.before, toVersion: change.after, runId: ctx.runId }, { signal: ctx.signal, output: ctx.progress, progress: ctx.progress });
    const served = await backend.servedVersion(ctx.signal);
    if (served !== null && served !== change.after) {
      throw new ActionError(`the deploy finished but ${backend.describe} serves ${served}, not ${change.after}`);
    }
    return { served: served ?? change.after };
  },

  async verify(_input, plan, ctx) {
    const change = plan.changes.find((c) => c.target === 'backend');
    if (!change || change.target !== 'backend') return { status: 'done' };
    // A deploy the crashed run started may still be going: never judge it mid-flight.
    const still = await ctx.env.ports.backend.settle?.(ctx.signal);
    if (still) return { status: 'unknown', check: `${still} is still running; let it finish (or stop it), then resume` };
    const served = await ctx.env.ports.backend.servedVersion(ctx.signal);
    if (served === change.after) return { status: 'done' };
    if (served === change.before && served !== null) return { status: 'not-done' };
    return { status: 'unknown', check: `${ctx.env.ports.backend.describe} serves ${served ?? 'an unknown version'}; expected ${change.before} (not deployed) or ${change.after} (deployed)` };
  },

  async undo(_input, plan, ctx) {
    const change = plan.changes.find((c) => c.target === 'backend');
    if (!change || change.target !== 'backend') return;
    const { backend } = ctx.env.ports;
    if (change.before === null) throw new ActionError(`cannot roll back ${backend.describe}: its version before the deploy is unknown`, { retryable: false });
    const still = await backend.settle?.(ctx.signal);
    if (still) throw new ActionError(`${still} is still running; let it finish (or stop it) before the rollback`);
    const served = await backend.servedVersion(ctx.signal);
    if (served === change.before) return;
    await backend.rollback({ fromVersion: served, toVersion: change.before, runId: ctx.runId }, { signal: ctx.signal, output: ctx.progress, progress: ctx.progress });
    const after = await backend.servedVersion(ctx.signal);
    if (after !== null && after !== change.before) throw new ActionError(`rolled back, but ${backend.describe} serves ${after}, not ${change.before}`);
  },
});
