/**
 * The shape every config-changing action shares: plan reads the document and lists the keys it
 * will change (their current values are the undo record), run writes them by compare-and-set,
 * verify reads them back, undo restores exactly those keys. The safety invariant guards every
 * write, and shows up as a blocker in plans.
 */
import type * as z from '../util/zod-mini.js';
import { ActionError, type PlanContext, type StepPlan } from '../engine/action.js';
import { wallViolations } from '../engine/invariant.js';
import {
  applyKeyChanges,
  changeState,
  currentValue,
  reverse,
  withChanges,
  type KeyChange,
} from '../providers/config/compare-and-set.js';
import { awaitPropagation, publicShows } from '../providers/config/propagation.js';
import { jsonEqual, type JsonObject, type JsonValue } from '../util/json-path.js';
import { together } from '../util/together.js';
import { defineAction, wallKeys, type ActionEnv, type ActionImplementation } from './env.js';

export interface ConfigTargets {
  /** Key path -> the value this step wants there. */
  values: Record<string, JsonValue>;
  blockers?: string[];
  /** Blockers that make the release invalid input (a version going down): exit 2. */
  invalid?: string[];
  notes?: string[];
}

export function defineConfigAction<S extends z.ZodMiniType>(spec: {
  input: S;
  targets(input: z.output<S>, env: ActionEnv, doc: JsonObject, ctx: PlanContext<ActionEnv>): Promise<ConfigTargets> | ConfigTargets;
  /** Checked again just before the write, as the world may have moved since the plan. */
  precondition?(input: z.output<S>, ctx: PlanContext<ActionEnv>): Promise<string[]>;
}): ActionImplementation<S> {
  return defineAction({
    input: spec.input,

    async plan(input, ctx) {
      const { ports } = ctx.env;
      // The precondition's reads (the stores) need nothing from the document: both at once.
      const [{ snap, targets }, preconditionBlockers] = await together([
        ports.config.read(ctx.signal).then(async (snap) => ({ snap, targets: await spec.targets(input, ctx.env, snap.doc, ctx) })),
        spec.precondition?.(input, ctx) ?? Promise.resolve([]),
      ] as const);
      const changes: KeyChange[] = Object.entries(targets.values)
        .map(([path, after]) => ({ path, before: currentValue(snap.doc, path), after }))
        .filter((c) => !jsonEqual(c.before, c.after));
      const blockers = [...(targets.blockers ?? []), ...preconditionBlockers, ...movedSinceEarlierSteps(snap.doc, ctx)];
      blockers.push(...guard(ctx)(withChanges(snap.doc, changes)).map((v) => `safety invariant: ${v}`));
      return {
        summary: changes.length
          ? changes.map((c) => `${c.path}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`).join(', ')
          : `${ports.config.describe} already has these values`,
        changes: changes.map((c) => ({ target: 'config' as const, ...c })),
        notes: [...(targets.notes ?? []), ...(snap.warning ? [`warning: ${snap.warning}`] : [])],
        blockers: blockers.length ? blockers : undefined,
        ...(targets.invalid?.length ? { invalid: targets.invalid } : {}),
        data: { readVersion: snap.version, baseline: baselineOf(snap.doc, [...ownedPaths(ctx.env), ...Object.keys(targets.values)]) },
      } satisfies StepPlan;
    },

    async run(input, plan, ctx) {
      const { config } = ctx.env.ports;
      const changes = keyChanges(plan);
      // Checked alongside the compare-and-set's first read, and before anything is written.
      const precheck = spec.precondition
        ? async () => {
            const problems = await spec.precondition!(input, ctx);
            if (problems.length) throw new ActionError(problems.join('; '), { retryable: false });
          }
        : undefined;
      const result = await applyKeyChanges(config, changes, { guard: guard(ctx), signal: ctx.signal, precheck });
      // Nothing that relies on these values may start before the apps can see them.
      const propagationMs = await awaitPropagation(config, changes, { signal: ctx.signal, progress: ctx.progress });
      const output: JsonObject = result.status === 'written' ? { version: result.version, ...(result.detail ? { detail: result.detail } : {}) } : { alreadyApplied: true };
      if (propagationMs !== undefined) Object.assign(output, { propagationMs, publicUrl: config.public!.url });
      return output;
    },

    async verify(_input, plan, ctx) {
      const snap = await ctx.env.ports.config.read(ctx.signal);
      const state = changeState(snap.doc, keyChanges(plan));
      // Written but not yet visible to the apps counts as not done: run again waits for it.
      if (state === 'applied') return (await publicShows(ctx.env.ports.config, keyChanges(plan), ctx.signal)) ? { status: 'done' } : { status: 'not-done' };
      if (state === 'absent') return { status: 'not-done' };
      return { status: 'unknown', check: `${ctx.env.ports.config.describe} holds neither the old nor the new values of ${keyChanges(plan).map((c) => c.path).join(', ')}` };
    },

    async undo(_input, plan, ctx) {
      await applyKeyChanges(ctx.env.ports.config, reverse(keyChanges(plan)), { guard: guard(ctx), signal: ctx.signal });
    },
  });
}

/** The keys a flip owns: maintenance and every platform's minimum and latest version. */
function ownedPaths(env: ActionEnv): string[] {
  const { keys, platforms } = env.release;
  return [keys.maintenance, ...platforms.flatMap((p) => [keys[p].minimum, keys[p].latest])];
}

function baselineOf(doc: JsonObject, paths: string[]): JsonObject {
  return Object.fromEntries([...new Set(paths)].map((p) => [p, currentValue(doc, p)]));
}

/**
 * What this run left in each key it owns: the values first seen, overlaid by each earlier config
 * step's writes. A key that no longer holds it was changed by someone else meanwhile — a later
 * step must stop, not overwrite it (DESIGN §3.4).
 */
function movedSinceEarlierSteps(doc: JsonObject, ctx: PlanContext<ActionEnv>): string[] {
  const expected: Record<string, JsonValue | null> = {};
  for (const { plan } of ctx.facts.earlier) {
    const baseline = plan.data?.baseline;
    if (!baseline || typeof baseline !== 'object' || Array.isArray(baseline)) continue;
    for (const [path, value] of Object.entries(baseline)) if (!(path in expected)) expected[path] = value;
    for (const change of keyChanges(plan)) expected[change.path] = change.after;
  }
  return Object.entries(expected)
    .filter(([path, value]) => !jsonEqual(currentValue(doc, path), value))
    .map(([path, value]) => `someone else changed ${path} meanwhile: it is ${JSON.stringify(currentValue(doc, path))}, this run left it at ${JSON.stringify(value)}; their change is kept — agree on the value, then resume`);
}

export function keyChanges(plan: StepPlan): KeyChange[] {
  return plan.changes.flatMap((c) => (c.target === 'config' ? [{ path: c.path, before: c.before, after: c.after }] : []));
}

/** The invariant applies once the breaking backend may be live (DESIGN §3.8). */
function guard(ctx: PlanContext<ActionEnv>): (next: JsonObject) => string[] {
  return (next) => (ctx.facts.backendLive ? wallViolations(next, wallKeys(ctx.env.release), ctx.env.release.version) : []);
}
