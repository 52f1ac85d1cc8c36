/**
 * Staged rollout with measurable gates (seed 001 §5). Each stage sets Play's fraction (on the App
 * Store, a hold point of Apple's phased release; the last stage releases to everyone), holds, then
 * judges the gates: Successful advances, Inconclusive measures again and then asks a human, Failed
 * halts Play, pauses the App Store, may turn a kill-switch flag off, and stops (exit 7).
 *
 * Durable: every stage reached and every evaluation is journaled (`ctx.record`), and a hold is a
 * gate whose end time was journaled with its stage, so `release resume` — e.g. a CI job every 15
 * minutes — picks up exactly where the run stopped, from the stage it reached.
 * Neither store un-publishes: users who updated keep the version; a halt only stops the spread.
 */
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { ActionError, type StepContext } from '../engine/action.js';
import { wallViolations } from '../engine/invariant.js';
import { errorMessage } from '../errors.js';
import { Duration } from '../playbook/duration-input.js';
import { applyKeyChanges, currentValue } from '../providers/config/compare-and-set.js';
import { awaitPropagation } from '../providers/config/propagation.js';
import { PLATFORM_NAMES, type Platform, type RolloutOperation, type RolloutStatus } from '../providers/stores/port.js';
import { formatDuration } from '../util/duration.js';
import type { JsonObject } from '../util/json-path.js';
import { defineAction, wallKeys, type ActionEnv } from './env.js';
import { describeEvaluation, evaluate, GateSchema, overall, thresholdOf, type Evaluation, type Gate } from './rollout-gates.js';
import { SCHEDULES, type Stage } from './rollout-schedules.js';
import { flagKey } from './set-feature-flag.js';
import { storeFor } from './stores.js';

const Input = z
  .strictObject({
    platforms: described(z.optional(z.array(z.enum(['ios', 'android'])).check(z.minLength(1))), 'Default: every platform of the release'),
    schedule: described(z.optional(z.enum(['normal', 'hotfix'])), 'normal: 5% d1, 20% d2, 50% d3, 100% d5; hotfix: 10%, 50% after 1h, 100% after 4h'),
    stages: described(
      z.optional(z.array(z.strictObject({ fraction: z.number().check(z.gt(0), z.lte(1)), hold: z.optional(Duration) })).check(z.minLength(1))),
      'Instead of a schedule: Play fractions, each held before the gates are judged; end with fraction 1',
    ),
    gates: z._default(z.array(GateSchema), []),
    'on-fail': described(z.optional(z.strictObject({ 'flag-off': z.optional(z.string()) })), 'Besides halting both stores (always done)'),
    inconclusive: described(
      z._default(z.strictObject({ limit: z._default(z.number().check(z.int(), z.gte(1)), 3), every: z._default(Duration, 5 * 60_000) }), { limit: 3, every: 5 * 60_000 }),
      'Inconclusive measurements in a row before a human is asked, and the wait between them',
    ),
    version: described(z.optional(z.string()), 'Default: app.version'),
  })
  .check(
    z.refine((i) => !(i.schedule && i.stages), { message: 'give a schedule or stages, not both', path: ['stages'] }),
    z.refine((i) => !i.stages || i.stages.every((s, n) => n === 0 || s.fraction > i.stages![n - 1]!.fraction), { message: 'stage fractions must rise', path: ['stages'] }),
  );
type Input = z.output<typeof Input>;

const stagesOf = (input: Input): Stage[] => input.stages?.map((s) => ({ fraction: s.fraction, ...(s.hold ? { holdMs: s.hold } : {}) })) ?? SCHEDULES[input.schedule ?? 'normal'];
const platformsOf = (input: Input, env: ActionEnv): Platform[] => input.platforms ?? env.release.platforms;
const pct = (f: number) => `${Math.round(f * 1000) / 10}%`;
const versionOf = (input: Input, env: ActionEnv) => input.version ?? env.release.version;

/** What the step journals for itself; `summary` is what the terminal shows. */
type RolloutRecord =
  | { kind: 'stage'; stage: number; fraction: number; until?: string; summary: string }
  | ({ kind: 'evaluation'; stage: number; summary: string } & Evaluation)
  | { kind: 'asked'; stage: number; approved: boolean; by: string; summary: string }
  | { kind: 'halted'; stage: number; summary: string };

const recordsOf = (ctx: StepContext<ActionEnv>) => ctx.records() as unknown as RolloutRecord[];

export default defineAction({
  input: Input,

  async plan(input, ctx) {
    const version = versionOf(input, ctx.env);
    const stages = stagesOf(input);
    const blockers: string[] = [];
    const notes: string[] = [];
    const changes = [];
    for (const platform of platformsOf(input, ctx.env)) {
      const store = ctx.env.ports.stores[platform];
      if (!store?.rollout) {
        blockers.push(`${store?.storeName ?? PLATFORM_NAMES[platform]} cannot control rollouts`);
        continue;
      }
      const now = await store.rollout.read(version, ctx.signal).catch((err: unknown) => ({ detail: `unreadable: ${errorMessage(err)}` }) as RolloutStatus);
      changes.push({ target: 'rollout' as const, platform, before: now.detail, after: platform === 'ios' ? 'phased release COMPLETE (released to all)' : 'completed 100%' });
    }
    if (input['on-fail']?.['flag-off']) {
      const { problem } = flagKey((await ctx.env.ports.config.read(ctx.signal)).doc, ctx.env.release, input['on-fail']['flag-off']);
      if (problem) blockers.push(`on-fail flag-off: ${problem}`);
    }
    if (!input.gates.length) notes.push('no gates: each stage advances when its hold ends');
    notes.push('App Store: stages are hold points of Apple\'s 7-day phased release (1, 2, 5, 10, 20, 50, 100 %); the last stage releases to all');
    return {
      summary: `roll out ${version}: ${stages.map((s) => `${pct(s.fraction)}${s.holdMs ? ` (hold ${formatDuration(s.holdMs)})` : ''}`).join(' -> ')}${input.gates.length ? `; gates: ${input.gates.map((g) => `${g.metric} ${thresholdOf(g)} over ${formatDuration(g.window)}`).join(', ')}` : ''}`,
      changes,
      notes,
      blockers: blockers.length ? blockers : undefined,
    };
  },

  async run(input, _plan, ctx) {
    const stages = stagesOf(input);
    const reached = recordsOf(ctx).filter((r) => r.kind === 'stage').map((r) => r.stage);
    // Stages before the last one reached have passed their gates: never judged or held again.
    for (let i = reached.length ? Math.max(...reached) : 0; i < stages.length; i++) {
      const stage = stages[i]!;
      let record = recordsOf(ctx).find((r): r is Extract<RolloutRecord, { kind: 'stage' }> => r.kind === 'stage' && r.stage === i);
      if (!record) {
        const details = await applyStage(input, ctx, stage, i === stages.length - 1);
        // The hold's end is journaled with the stage, so every resume waits for the same moment.
        const until = stage.holdMs ? new Date(Date.now() + (ctx.env.scaleDelay?.(stage.holdMs) ?? stage.holdMs)).toISOString() : undefined;
        record = { kind: 'stage', stage: i, fraction: stage.fraction, ...(until ? { until } : {}), summary: `stage ${i + 1}/${stages.length} ${pct(stage.fraction)}: ${details}${until ? `; hold until ${until}` : ''}` };
        await ctx.record(record);
      }
      if (i === stages.length - 1) break;
      // A halt ended the hold (its gate may have been rejected): after it, resume only judges again.
      const halted = recordsOf(ctx).some((r) => r.kind === 'halted' && r.stage === i);
      if (record.until && !halted) await hold(input, ctx, i, stage, record.until);
      await judge(input, ctx, i, stage);
    }
    const result: JsonObject = {};
    for (const platform of platformsOf(input, ctx.env)) result[platform] = (await storeFor(ctx.env, platform).rollout!.read(versionOf(input, ctx.env), ctx.signal)).detail;
    return result;
  },

  // Run is driven by the journaled records and each store call is idempotent: running it again is safe.
  async verify(input, _plan, ctx) {
    for (const platform of platformsOf(input, ctx.env)) {
      if ((await storeFor(ctx.env, platform).rollout!.read(versionOf(input, ctx.env), ctx.signal)).state !== 'complete') return { status: 'not-done' };
    }
    return { status: 'done' };
  },
});

/** Moves every store to this stage; says what each did. A halted rollout is resumed first. */
async function applyStage(input: Input, ctx: StepContext<ActionEnv>, stage: Stage, last: boolean): Promise<string> {
  const version = versionOf(input, ctx.env);
  const done: string[] = [];
  for (const platform of platformsOf(input, ctx.env)) {
    const store = storeFor(ctx.env, platform);
    const rollout = store.rollout;
    if (!rollout) throw new ActionError(`${store.storeName} cannot control rollouts`, { retryable: false });
    const now = await rollout.read(version, ctx.signal);
    const ops = stageOps(platform, now, stage, last);
    if (typeof ops === 'string') {
      done.push(`${PLATFORM_NAMES[platform]} ${ops}`);
      continue;
    }
    let status = now;
    for (const op of ops) status = await rollout.apply(version, op, { signal: ctx.signal, progress: ctx.progress });
    done.push(`${PLATFORM_NAMES[platform]} ${status.detail}`);
  }
  return done.join(', ');
}

/** The store calls that bring one platform to a stage, or why none is needed. */
function stageOps(platform: Platform, now: RolloutStatus, stage: Stage, last: boolean): RolloutOperation[] | string {
  if (now.state === 'not-started') {
    throw new ActionError(`${PLATFORM_NAMES[platform]}: the version is not rolling out (${now.detail})`, {
      retryable: false,
      hint: platform === 'ios' ? 'Publish it with a phased release first (store/publish with ios-phased: true).' : 'Publish it first (store/publish).',
    });
  }
  // Play: "Fully released can not be staged"; the App Store: COMPLETE is final.
  if (now.state === 'complete') return `already released to everyone (${now.detail})`;
  const resume: RolloutOperation[] = now.state === 'halted' ? [{ kind: 'resume' }] : [];
  if (last) return [{ kind: 'complete' }];
  if (platform === 'ios') return resume.length ? resume : `phased release goes on by Apple's schedule (${now.detail})`;
  // Play cannot lower a fraction: a release submitted above this stage stays where it is.
  if (now.fraction !== undefined && now.fraction >= stage.fraction) return resume.length ? resume : `already at ${pct(now.fraction)} (${now.detail})`;
  return [...resume, { kind: 'fraction', fraction: stage.fraction }];
}

/** A hold is a gate the clock opens: without a terminal a hold longer than --wait exits 10, and resume continues. */
async function hold(input: Input, ctx: StepContext<ActionEnv>, i: number, stage: Stage, until: string): Promise<void> {
  const end = Date.parse(until);
  const decision = await ctx.gate({
    gate: `rollout-hold-${i + 1}`,
    title: `hold at ${pct(stage.fraction)} until ${until}`,
    instructions: [
      `The gates are judged at ${until}; continue then with \`release resume ${ctx.runId}\` (a CI job running it every 15 minutes advances the rollout).`,
      `\`release signoff ${ctx.runId} --gate rollout-hold-${i + 1} --approve\` ends the hold early; \`--reject --reason …\` halts the rollout.`,
    ],
    autoPollMs: 1000,
    until: end,
    auto: async () => (Date.now() >= end ? { approved: true, by: 'clock', source: 'auto' } : undefined),
  });
  if (!decision.approved) await halt(input, ctx, i, `hold at ${pct(stage.fraction)} rejected by ${decision.by}${decision.reason ? `: ${decision.reason}` : ''}`);
}

/** Judges the gates at the end of a stage's hold: returns to advance, throws after halting. */
async function judge(input: Input, ctx: StepContext<ActionEnv>, i: number, stage: Stage): Promise<void> {
  const version = versionOf(input, ctx.env);
  for (;;) {
    if (inconclusiveRun(recordsOf(ctx), i) >= input.inconclusive.limit) {
      const asked = recordsOf(ctx).filter((r) => r.kind === 'asked' && r.stage === i).length;
      const decision = await ctx.gate({
        gate: `rollout-check-${i + 1}-${asked + 1}`,
        title: `the gates at ${pct(stage.fraction)} were inconclusive ${input.inconclusive.limit} times: advance anyway?`,
        instructions: ['Approve to advance to the next stage; reject to halt the rollout on both stores.', 'Check the metric source: no data often means the release has too few sessions yet.'],
      });
      await ctx.record({ kind: 'asked', stage: i, approved: decision.approved, by: decision.by, summary: `${decision.approved ? 'advance' : 'halt'} at ${pct(stage.fraction)}, decided by ${decision.by}` });
      if (decision.approved) return;
      return halt(input, ctx, i, `the gates at ${pct(stage.fraction)} were inconclusive and ${decision.by} chose to halt${decision.reason ? `: ${decision.reason}` : ''}`);
    }
    const evaluations = await Promise.all(input.gates.map((g: Gate) => evaluate(g, ctx.env.ports.metrics, version, ctx.signal)));
    for (const e of evaluations) await ctx.record({ kind: 'evaluation', stage: i, ...e, summary: `at ${pct(stage.fraction)}: ${describeEvaluation(e)}` });
    const verdict = overall(evaluations);
    if (verdict === 'successful') return;
    if (verdict === 'failed') {
      return halt(input, ctx, i, `gate failed at ${pct(stage.fraction)}: ${evaluations.filter((e) => e.verdict === 'failed').map(describeEvaluation).join('; ')}`);
    }
    if (inconclusiveRun(recordsOf(ctx), i) < input.inconclusive.limit) await ctx.sleep(input.inconclusive.every);
  }
}

/** Inconclusive evaluations of this stage since its last conclusive one or human answer. */
function inconclusiveRun(records: RolloutRecord[], stage: number): number {
  let n = 0;
  for (const r of records.filter((x) => x.stage === stage)) {
    if (r.kind === 'evaluation') n = r.verdict === 'inconclusive' ? n + 1 : 0;
    if (r.kind === 'asked' || r.kind === 'halted') n = 0;
  }
  return n;
}

/** Halt Play, pause the App Store, turn the kill switch off if asked; then stop for a human (exit 7). */
async function halt(input: Input, ctx: StepContext<ActionEnv>, i: number, why: string): Promise<never> {
  const version = versionOf(input, ctx.env);
  const done: string[] = [];
  const failures: string[] = [];
  for (const platform of platformsOf(input, ctx.env)) {
    const store = storeFor(ctx.env, platform);
    try {
      const status = await store.rollout!.apply(version, { kind: 'halt' }, { signal: ctx.signal, progress: ctx.progress });
      done.push(`${PLATFORM_NAMES[platform]} ${platform === 'ios' ? 'paused' : 'halted'} (${status.detail})`);
    } catch (err) {
      failures.push(`${PLATFORM_NAMES[platform]} could not be halted: ${errorMessage(err)}`);
    }
  }
  const flag = input['on-fail']?.['flag-off'];
  if (flag) {
    try {
      done.push(await flagOff(ctx, flag));
    } catch (err) {
      failures.push(`flag ${flag} could not be turned off: ${errorMessage(err)}`);
    }
  }
  await ctx.record({ kind: 'halted', stage: i, summary: `halted: ${[...done, ...failures].join('; ')}` });
  const stages = stagesOf(input);
  throw new ActionError(`${why}. ${[...done, ...failures].join('; ')}`, {
    retryable: false,
    hint: [
      failures.length ? `Halt by hand what failed (${failures.join('; ')}).` : undefined,
      'Users who already updated keep this version (neither store un-publishes).',
      `Ways on: when the metric recovers, \`release resume ${ctx.runId}\` judges the gates again and continues from ${pct(stages[i]!.fraction)}${flag ? ` (turn ${flag} back on with the kill-switch playbook if you want it)` : ''};`,
      'or abandon this version and ship a hotfix: `release flip hotfix --var version=<next>`.',
    ].filter(Boolean).join(' '),
  });
}

/** The kill switch: compare-and-set of that one flag, as config/set-feature-flag writes it. */
async function flagOff(ctx: StepContext<ActionEnv>, flag: string): Promise<string> {
  const { config } = ctx.env.ports;
  const snap = await config.read(ctx.signal);
  const { path, problem } = flagKey(snap.doc, ctx.env.release, flag);
  if (problem) throw new Error(problem);
  const change = { path, before: currentValue(snap.doc, path), after: false };
  const guard = (next: JsonObject) => (ctx.facts.backendLive ? wallViolations(next, wallKeys(ctx.env.release), ctx.env.release.version) : []);
  await applyKeyChanges(config, [change], { guard, signal: ctx.signal });
  await awaitPropagation(config, [change], { signal: ctx.signal, progress: ctx.progress });
  return `${path} turned off (was ${JSON.stringify(change.before)})`;
}
