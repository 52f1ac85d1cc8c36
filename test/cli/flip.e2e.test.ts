/**
 * Scenario B on the sandbox, end to end (stdin not a terminal): the happy path, every rehearsed
 * failure, and the dry run. The happy path and a rollback (exit 3) go through the built CLI as a
 * child process; the rest of the matrix runs the same program in-process, sparing a Node start-up
 * per case.
 */
import { describe, expect, it } from 'vitest';
import { wallViolations } from '../../src/engine/invariant.js';
import { ndjson, release as releaseChild } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { testdir } from '../helpers/testdir.js';
import { countEffects, onlyRun, readEvents, readWorld } from '../helpers/world.js';

const STEPS = ['verify-manual-publishing', 'wait-for-approval', 'enter-maintenance', 'deploy-backend', 'internal-signoff', 'publish-stores', 'exit-maintenance'];
const WALL_KEYS = {
  maintenance: 'maintenance_mode',
  platforms: { ios: { minimum: 'ios.minimum_version', latest: 'ios.latest_version' }, android: { minimum: 'android.minimum_version', latest: 'android.latest_version' } },
};

describe('release flip --sandbox', () => {
  it('runs the seven Scenario B steps in order and leaves the world flipped', async () => {
    const dir = testdir();
    const result = await releaseChild(['flip', '--sandbox', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);

    const events = ndjson(result.stdout);
    const runId = onlyRun(dir);
    expect(events.every((e) => e.runId === runId)).toBe(true);
    expect(events.filter((e) => e.type.startsWith('step.')).every((e) => typeof e.step === 'string')).toBe(true);
    expect(events.filter((e) => e.type === 'step.succeeded').map((e) => e.step)).toEqual(STEPS);

    const world = readWorld(dir);
    expect(world.config.maintenance_mode).toBe(false);
    for (const platform of ['ios', 'android'] as const) {
      expect(world.config[platform]).toEqual({ minimum_version: '2.0.0', latest_version: '2.0.0' });
      expect(world.stores[platform]!.state).toBe('live');
      expect(countEffects(world, 'store.publish', platform)).toBe(1);
    }
    expect(world.backend.version).toBe('2.0.0');
    expect(countEffects(world, 'backend.deploy')).toBe(1);
    expect(world.config.feature_flags).toEqual(world.initialConfig.feature_flags);

    const summary = events.find((e) => e.type === 'run.summary')!.summary as { window: { walledMs: number; configToPublishMs: number } };
    expect(summary.window.walledMs).toBeGreaterThanOrEqual(summary.window.configToPublishMs);
    expect(result.stderr).toContain('Transition window');
  });

  for (const [failing, undone] of [
    ['enter-maintenance', ['enter-maintenance']],
    ['deploy-backend', ['deploy-backend', 'enter-maintenance']],
    ['internal-signoff', ['deploy-backend', 'enter-maintenance']],
    ['publish-stores', ['deploy-backend', 'enter-maintenance']],
  ] as const) {
    it(`--sandbox-fail ${failing} rolls everything back in reverse order (exit 3)`, async () => {
      const dir = testdir();
      const result = await release(['flip', '--sandbox', '--sandbox-fail', failing, '--json'], { cwd: dir });
      expect(result.code, result.stderr).toBe(3);

      const world = readWorld(dir);
      expect(world.config).toEqual(world.initialConfig);
      expect(Object.keys(world.config)).toEqual(Object.keys(world.initialConfig));
      expect(world.backend.version).toBe(world.initialBackendVersion);
      expect(countEffects(world, 'store.publish')).toBe(0);

      const events = readEvents(dir);
      const undos = events.filter((e) => e.type === 'undo.succeeded').map((e) => ('step' in e ? e.step : ''));
      expect(undos).toEqual(undone);
      // The failure and the decision to roll back are one durable event.
      const failed = events.find((e) => e.type === 'step.failed');
      expect(failed).toMatchObject({ decision: { then: 'rollback', steps: undone } });
      expect(events.some((e) => e.type === 'rollback.started')).toBe(false);
      expect(ndjson(result.stdout).at(-1)).toMatchObject({ type: 'run.exit', status: 'rolled_back' });
    });
  }

  it('--sandbox-fail internal-signoff is a tester rejection, on the record', async () => {
    const dir = testdir();
    const result = await releaseChild(['flip', '--sandbox', '--sandbox-fail', 'internal-signoff'], { cwd: dir });
    expect(result.code).toBe(3);
    const decided = readEvents(dir).find((e) => e.type === 'gate.decided');
    expect(decided).toMatchObject({ gate: 'internal-signoff', approved: false, by: 'sandbox testers' });
    expect(result.stderr).toContain('rejected by sandbox testers');
  });

  it('--sandbox-fail publish-stores:android leaves iOS live, keeps the wall, undoes nothing (exit 7), and resume finishes', async () => {
    const dir = testdir();
    const result = await release(['flip', '--sandbox', '--sandbox-fail', 'publish-stores:android'], { cwd: dir });
    expect(result.code, result.stderr).toBe(7);

    const world = readWorld(dir);
    expect(world.stores.ios!.state).toBe('live');
    expect(world.stores.android!.state).toBe('approved');
    expect(world.config.maintenance_mode).toBe(true);
    expect(world.backend.version).toBe('2.0.0');
    expect(readEvents(dir).filter((e) => e.type === 'undo.started' || e.type === 'rollback.started')).toEqual([]);
    const runId = onlyRun(dir);
    expect(result.stderr).toContain(`release resume ${runId}`);
    expect(result.stderr).toMatch(/iOS released, but Android/);

    // The fault is kept with the run: a plain resume fails the same way; `none` rehearses the fix.
    const again = await release(['resume', runId], { cwd: dir });
    expect(again.code, again.stderr).toBe(7);
    expect(again.stderr).toContain('--sandbox-fail none');
    const resumed = await release(['resume', runId, '--sandbox-fail', 'none'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = readWorld(dir);
    expect(after.stores.android!.state).toBe('live');
    expect(countEffects(after, 'store.publish', 'ios')).toBe(1);
    expect(countEffects(after, 'store.publish', 'android')).toBe(1);
    expect(after.config.maintenance_mode).toBe(false);
  });

  it('--sandbox-fail exit-maintenance stops for a human (exit 7) with the wall still up', async () => {
    const dir = testdir();
    const result = await release(['flip', '--sandbox', '--sandbox-fail', 'exit-maintenance'], { cwd: dir });
    expect(result.code, result.stderr).toBe(7);
    const world = readWorld(dir);
    expect(readEvents(dir).some((e) => e.type === 'undo.started')).toBe(false);
    expect(world.backend.version).toBe('2.0.0');
    expect(world.config.maintenance_mode).toBe(true);
    expect(wallViolations(world.config, WALL_KEYS, '2.0.0')).toEqual([]);
  });

  it('--sandbox-fail on a read-only step fails the way the store would, with nothing to undo', async () => {
    const dir = testdir();
    const result = await release(['flip', '--sandbox', '--sandbox-fail', 'wait-for-approval:ios'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/iOS rejected 2\.0\.0: Guideline 2\.1/);
    expect(readWorld(dir).effects).toEqual([]);
  });
});

describe('release plan --sandbox', () => {
  it('shows before/after diffs and changes nothing', async () => {
    const dir = testdir();
    const result = await release(['plan', '--sandbox', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const plans = ndjson(result.stdout).filter((e) => e.type === 'plan.step');
    expect(plans.map((p) => p.step)).toEqual(STEPS);
    const changesOf = (step: string) => (plans.find((p) => p.step === step)!.plan as { changes: unknown[] }).changes;
    expect(changesOf('enter-maintenance')).toEqual([{ target: 'config', path: 'maintenance_mode', before: false, after: true }]);
    expect(changesOf('deploy-backend')).toEqual([{ target: 'backend', before: '1.4.2', after: '2.0.0' }]);
    // exit-maintenance plans against the world as the earlier steps would leave it.
    expect(changesOf('exit-maintenance')).toContainEqual({ target: 'config', path: 'maintenance_mode', before: true, after: false });
    expect(changesOf('exit-maintenance')).toContainEqual({ target: 'config', path: 'ios.minimum_version', before: '1.3.0', after: '2.0.0' });

    const world = readWorld(dir);
    expect(world.effects).toEqual([]);
    expect(world.config).toEqual(world.initialConfig);
  });

  it('flip --dry-run is the same dry run', async () => {
    const dir = testdir();
    const result = await release(['flip', '--sandbox', '--dry-run'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('maintenance_mode: false -> true');
    expect(readWorld(dir).effects).toEqual([]);
  });
});
