/**
 * Staged rollout with metric gates (issue 9 item 3), through the built CLI on a sandbox world:
 * healthy stages advance, a failed gate halts both stores and stops (exit 7), resume continues
 * from the stage it reached, and holds outlive --wait durably (exit 10, then resume).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DurableEvent } from '../../src/engine/events.js';
import { CONFIG_TEMPLATE } from '../../src/playbook/config-template.js';
import { prometheus } from '../emulators/metrics.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { testdir } from '../helpers/testdir.js';
import { onlyRun, readEvents, readWorld } from '../helpers/world.js';

type Recorded = Extract<DurableEvent, { type: 'step.recorded' }>;
const recorded = (dir: string) => readEvents(dir).filter((e): e is Recorded => e.type === 'step.recorded').map((e) => e.record);
const rolloutOps = (dir: string) =>
  readWorld(dir)
    .effects.filter((e) => e.op.startsWith('store.') && e.op !== 'store.publish')
    .map((e) => `${e.platform} ${e.op}${e.op === 'store.rollout' ? ` ${e.fraction}` : ''}`);

describe('release flip staged-rollout --sandbox', () => {
  it('with a healthy metric goes 5 -> 20 -> 50 -> 100 on Play and releases to all on the App Store', async () => {
    const dir = testdir();
    const result = await release(['flip', 'staged-rollout', '--sandbox', '--sandbox-metric', 'crash_free_sessions=99.9'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(rolloutOps(dir)).toEqual(['android store.rollout 0.2', 'android store.rollout 0.5', 'ios store.complete', 'android store.complete']);
    const world = readWorld(dir);
    expect(world.stores.android!.rollout).toEqual({ state: 'complete' });
    expect(world.stores.ios!.rollout).toEqual({ state: 'complete' });
    // Every evaluation is journaled with its value, threshold, window and verdict.
    const evaluations = recorded(dir).filter((r) => r.kind === 'evaluation');
    expect(evaluations).toHaveLength(3);
    expect(evaluations[0]).toMatchObject({ metric: 'crash_free_sessions', value: 99.9, threshold: '>= 99.5', window: '15m', verdict: 'successful' });
  });

  it('a failed gate at 20% halts Play, pauses the App Store, turns the flag off and exits 7; resume after recovery continues from 20%', async () => {
    const dir = testdir();
    // Real holds: the run waits at each hold (exit 10) so the metric can change between stages.
    const start = await release(['flip', 'staged-rollout', '--sandbox', '--sandbox-clock', 'real', '--sandbox-metric', 'crash_free_sessions=99.9'], { cwd: dir });
    expect(start.code, start.stderr).toBe(10);
    const runId = onlyRun(dir);
    const endHold = async (gate: string) => expect((await release(['signoff', runId, '--gate', gate, '--approve', '--by', 'oncall'], { cwd: dir })).code).toBe(0);

    await endHold('rollout-hold-1');
    const toTwenty = await release(['resume', runId], { cwd: dir });
    expect(toTwenty.code, toTwenty.stderr).toBe(10);
    expect(readWorld(dir).stores.android!.rollout).toEqual({ state: 'staged', fraction: 0.2 });

    await endHold('rollout-hold-2');
    const failed = await release(['resume', runId, '--sandbox-metric', 'crash_free_sessions=97.2'], { cwd: dir });
    expect(failed.code, failed.stderr).toBe(7);
    expect(failed.stderr).toContain('gate failed at 20%: crash_free_sessions 97.2 (>= 99.5 over 15m): failed');
    expect(failed.stderr).toContain(`release resume ${runId}`);
    expect(failed.stderr).toContain('release flip hotfix');
    // In each store's words: Play's release status, the App Store's phasedReleaseState.
    expect(failed.stderr).toContain('iOS paused (PAUSED 1%); Android halted (halted 20%)');
    let world = readWorld(dir);
    expect(world.stores.android!.rollout).toEqual({ state: 'halted', fraction: 0.2 });
    expect(world.stores.ios!.rollout).toMatchObject({ state: 'halted' });
    expect((world.config.feature_flags as Record<string, boolean>).enable_new_registration_flow).toBe(false);
    expect(rolloutOps(dir).slice(-2)).toEqual(['ios store.pause', 'android store.halt']);

    const recovered = await release(['resume', runId, '--sandbox-metric', 'crash_free_sessions=99.8'], { cwd: dir });
    expect(recovered.code, recovered.stderr).toBe(10);
    world = readWorld(dir);
    // From 20%: resumed, then 50% — never back to 5% or 20%.
    expect(rolloutOps(dir).slice(-3)).toEqual(['ios store.resume', 'android store.resume', 'android store.rollout 0.5']);
    expect(world.stores.android!.rollout).toEqual({ state: 'staged', fraction: 0.5 });

    await endHold('rollout-hold-3');
    const done = await release(['resume', runId], { cwd: dir });
    expect(done.code, done.stderr).toBe(0);
    expect(readWorld(dir).stores.android!.rollout).toEqual({ state: 'complete' });
    const verdicts = recorded(dir).filter((r) => r.kind === 'evaluation').map((r) => `${r.stage}:${r.value}:${r.verdict}`);
    expect(verdicts).toEqual(['0:99.9:successful', '1:97.2:failed', '1:99.8:successful', '2:99.8:successful']);
  });

  it('rejecting a hold halts both stores (exit 7); a later resume judges the gates and goes on', async () => {
    const dir = testdir();
    expect((await release(['flip', 'staged-rollout', '--sandbox', '--sandbox-clock', 'real'], { cwd: dir })).code).toBe(10);
    const runId = onlyRun(dir);
    expect((await release(['signoff', runId, '--gate', 'rollout-hold-1', '--reject', '--by', 'oncall', '--reason', 'support tickets'], { cwd: dir })).code).toBe(0);
    const halted = await release(['resume', runId], { cwd: dir });
    expect(halted.code, halted.stderr).toBe(7);
    expect(halted.stderr).toContain('hold at 5% rejected by oncall: support tickets');
    expect(readWorld(dir).stores.android!.rollout).toEqual({ state: 'halted', fraction: 0.05 });
    const resumed = await release(['resume', runId], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(10);
    expect(resumed.stderr).toContain('hold at 20% until');
    expect(readWorld(dir).stores.android!.rollout).toEqual({ state: 'staged', fraction: 0.2 });
  });

  it('refuses a --sandbox-metric that is not name=number (exit 2), before any run', async () => {
    const dir = testdir();
    const result = await release(['flip', 'staged-rollout', '--sandbox', '--sandbox-metric', 'crash_free_sessions=high'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('write <metric>=<number>');
  });

  it('asks a human after too many inconclusive measurements (no data), and halts when they say no', async () => {
    const dir = testdir();
    const first = await release(['flip', 'staged-rollout', '--sandbox', '--sandbox-metric', 'crash_free_sessions=none'], { cwd: dir });
    expect(first.code, first.stderr).toBe(10);
    const runId = onlyRun(dir);
    expect(first.stderr).toContain('rollout-check-1-1');
    expect(recorded(dir).filter((r) => r.kind === 'evaluation').map((r) => r.verdict)).toEqual(['inconclusive', 'inconclusive', 'inconclusive']);
    expect((await release(['signoff', runId, '--gate', 'rollout-check-1-1', '--reject', '--by', 'oncall', '--reason', 'no sessions'], { cwd: dir })).code).toBe(0);
    const halted = await release(['resume', runId], { cwd: dir });
    expect(halted.code, halted.stderr).toBe(7);
    expect(readWorld(dir).stores.android!.rollout).toEqual({ state: 'halted', fraction: 0.05 });
  });
});

/** A playbook that publishes (App Store phased) and rolls out with these staged-rollout inputs (YAML, indented 6). */
const publishThenRollout = (name: string, inputs: string) => `name: ${name}
steps:
  - id: publish-stores
    uses: store/publish
    with: { ios-phased: true }
  - id: rollout
    uses: store/staged-rollout
    with:
${inputs}
`;

const HOLD_PLAYBOOK = publishThenRollout('short-hold', '      stages: [{ fraction: 0.05, hold: 2s }, { fraction: 1 }]');

describe('a hold longer than --wait', () => {
  it('exits 10 with the time to continue, keeps that time across resumes, and a later resume continues', async () => {
    const dir = testdir({ 'short-hold.yaml': HOLD_PLAYBOOK });
    const first = await release(['flip', './short-hold.yaml', '--sandbox', '--sandbox-clock', 'real'], { cwd: dir });
    expect(first.code, first.stderr).toBe(10);
    const until = /hold at 5% until (\S+Z)/.exec(first.stderr)?.[1];
    expect(until, first.stderr).toBeDefined();
    expect(Date.parse(until!)).toBeGreaterThan(Date.now() - 2000);
    const runId = onlyRun(dir);

    // Too early: the same hold, the same end — not "now + 2s" again.
    const early = await release(['resume', runId], { cwd: dir });
    if (Date.now() < Date.parse(until!)) {
      expect(early.code, early.stderr).toBe(10);
      expect(early.stderr).toContain(`until ${until}`);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(until!) - Date.now() + 50)));
    const later = await release(['resume', runId], { cwd: dir });
    expect(later.code, later.stderr).toBe(0);
    expect(readWorld(dir).stores.android!.rollout).toEqual({ state: 'complete' });
    expect(readEvents(dir).filter((e) => e.type === 'gate.decided' && e.gate === 'rollout-hold-1')).toEqual([expect.objectContaining({ by: 'clock', approved: true })]);
  });

  it('with --wait longer than the hold, one run waits it out', async () => {
    const dir = testdir({ 'short-hold.yaml': HOLD_PLAYBOOK });
    const result = await release(['flip', './short-hold.yaml', '--sandbox', '--sandbox-clock', 'real', '--wait', '20s'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(readWorld(dir).stores.android!.rollout).toEqual({ state: 'complete' });
  });
});

describe('a gate with a real source in a rehearsal config (ports sandbox, not --sandbox)', () => {
  const values = new Map([['crash_free_sessions_percent', 97.5]]);
  const server = prometheus(values);
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('reads Prometheus and halts on its value; --sandbox-metric still overrides it', async () => {
    const playbook = publishThenRollout(
      'prom-gated',
      `      stages: [{ fraction: 0.05 }, { fraction: 1 }]
      gates:
        - { metric: crash_free_sessions, source: { prometheus: "${server.url}", query: crash_free_sessions_percent }, min: 99.5 }`,
    );
    const dir = testdir({ 'release.config.yaml': CONFIG_TEMPLATE, 'prom.yaml': playbook });
    const failed = await release(['flip', './prom.yaml'], { cwd: dir });
    expect(failed.code, failed.stderr).toBe(7);
    expect(failed.stderr).toContain('crash_free_sessions 97.5 (>= 99.5 over 15m): failed');
    expect(server.calls.some((c) => c.path === '/api/v1/query')).toBe(true);
    const resumed = await release(['resume', onlyRun(dir), '--sandbox-metric', 'crash_free_sessions=99.9'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readWorld(dir).stores.android!.rollout).toEqual({ state: 'complete' });
  });
});
