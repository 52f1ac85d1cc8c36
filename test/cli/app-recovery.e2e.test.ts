/** `release app-recovery` through the real CLI on the sandbox: journaled runs, dry run, undo, list. */
import { describe, expect, it } from 'vitest';
import { CONFIG_TEMPLATE } from '../../src/playbook/config-template.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstRunId, ndjson, startRelease } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { storeProject } from '../helpers/store-project.js';
import { testdir } from '../helpers/testdir.js';
import { onlyRun, readEvents, readWorld, runIds } from '../helpers/world.js';

/** The example app, with App Recovery actions Play already holds before the run. */
const withRecoveries = (lines: string) => ({ 'release.config.yaml': `${CONFIG_TEMPLATE}  appRecoveries:\n${lines}` });
const DRAFT = '    - { id: "7001", state: draft, versions: 140-142 }\n';
const ACTIVE = '    - { id: "7002", state: active, versions: "142" }\n';

const recoveries = (dir: string, runId = onlyRun(dir)) => readWorld(dir, runId).stores.android!.recoveries ?? [];
const recoveryEffects = (dir: string, runId = onlyRun(dir)) => readWorld(dir, runId).effects.filter((e) => e.op === 'store.recovery').map((e) => `${e.operation} ${e.recoveryId}`);

describe('release app-recovery', () => {
  it('create makes a draft with the reason on record; rolling the run back cancels that draft', async () => {
    const dir = testdir();
    const created = await release(['app-recovery', 'create', '--versions', '140-142', '--reason', 'double charge at checkout', '--sandbox', '--json'], { cwd: dir });
    expect(created.code, created.stderr).toBe(0);
    expect(recoveries(dir)).toEqual([expect.objectContaining({ id: '7001', state: 'draft', versions: { start: 140, end: 142 } })]);
    expect(created.stderr).toContain('release app-recovery deploy 7001 --versions 140-142');
    const started = ndjson(created.stdout).find((e) => e.type === 'run.created')!;
    expect(JSON.stringify(started.playbook)).toContain('double charge at checkout');
    expect(readEvents(dir).some((e) => e.type === 'step.succeeded' && e.step === 'app-recovery')).toBe(true);

    // 3: rolled back, every change of the run undone.
    const undone = await release(['rollback', onlyRun(dir), '--sandbox'], { cwd: dir });
    expect(undone.code, undone.stderr).toBe(3);
    expect(recoveryEffects(dir)).toEqual(['create 7001', 'cancel 7001']);
    expect(recoveries(dir)[0]!.state).toBe('canceled');
  });

  it('killed after Play made the draft but before the answer: resume settles it by listing, and never makes a second one', async () => {
    const dir = testdir();
    // 600 ms a call: the draft exists 300 ms before the call returns.
    const child = startRelease(['app-recovery', 'create', '--versions', '140-142', '--reason', 'double charge', '--sandbox', '--sandbox-latency', '600ms', '--json'], { cwd: dir });
    const runId = await firstRunId(child);
    const world = join(dir, '.release', 'runs', runId, 'sandbox.json');
    while (!(existsSync(world) && readFileSync(world, 'utf8').includes('"store.recovery"'))) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await child;

    const resumed = await release(['resume', runId, '--sandbox-latency', '0ms'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(recoveryEffects(dir)).toEqual(['create 7001']);
    expect(readEvents(dir, runId).find((e) => e.type === 'step.succeeded')).toMatchObject({ settledBy: 'verify' });
  });

  it('--dry-run shows the change and changes nothing', async () => {
    const dir = testdir();
    const plan = await release(['app-recovery', 'create', '--versions', '140-142', '--reason', 'double charge', '--sandbox', '--dry-run'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toContain('app recovery android: none -> RECOVERY_STATUS_DRAFT 140-142');
    expect(readWorld(dir).effects).toEqual([]);
  });

  it('create refuses a second draft for the same range, naming the one there', async () => {
    const dir = testdir(withRecoveries(DRAFT));
    const result = await release(['app-recovery', 'create', '--versions', '140-142', '--reason', 'double charge', '--sandbox'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('App Recovery 7001 (RECOVERY_STATUS_DRAFT) already targets 140-142');
    expect(readWorld(dir).effects).toEqual([]);
  });

  it('deploy activates a draft; its undo cancels it (users who updated stay updated)', async () => {
    const dir = testdir(withRecoveries(DRAFT));
    const deployed = await release(['app-recovery', 'deploy', '7001', '--versions', '140-142', '--reason', 'double charge', '--sandbox'], { cwd: dir });
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(recoveries(dir)[0]).toMatchObject({ id: '7001', state: 'active', storeState: 'RECOVERY_STATUS_ACTIVE' });

    // 3: rolled back, every change of the run undone.
    const undone = await release(['rollback', onlyRun(dir), '--sandbox'], { cwd: dir });
    expect(undone.code, undone.stderr).toBe(3);
    expect(undone.stderr).toContain('users who already updated stay updated');
    expect(recoveryEffects(dir)).toEqual(['deploy 7001', 'cancel 7001']);
  });

  it('cancel stops an active one, and says plainly that its rollback cannot resume it', async () => {
    const dir = testdir(withRecoveries(ACTIVE));
    const cancelled = await release(['app-recovery', 'cancel', '7002', '--versions', '142', '--reason', 'fixed in 2.0.1', '--sandbox'], { cwd: dir });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(recoveries(dir)[0]!.state).toBe('canceled');
    const undone = await release(['rollback', onlyRun(dir), '--sandbox'], { cwd: dir });
    expect(undone.code).toBe(4);
    expect(undone.stderr).toContain('Play cannot resume a cancelled action');
    expect(recoveryEffects(dir)).toEqual(['cancel 7002']);
  });

  it('deploy of an id Play does not hold, or a bad range, changes nothing', async () => {
    const dir = testdir(withRecoveries(DRAFT));
    const unknown = await release(['app-recovery', 'deploy', '9999', '--versions', '140-142', '--reason', 'double charge', '--sandbox'], { cwd: dir });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('no App Recovery action 9999 targets version code 140');
    expect(readWorld(dir).effects).toEqual([]);

    const bad = await release(['app-recovery', 'create', '--versions', '142-140', '--reason', 'double charge', '--sandbox'], { cwd: testdir() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('write Android version codes as 142 or 140-142');
  });

  it('list reads without a run: every action targeting the codes, as JSON lines', async () => {
    const dir = testdir(withRecoveries(DRAFT + ACTIVE));
    const listed = await release(['app-recovery', 'list', '--versions', '141-142', '--sandbox', '--json'], { cwd: dir });
    expect(listed.code, listed.stderr).toBe(0);
    expect(ndjson(listed.stdout).map((e) => `${e.id} ${e.storeState}`)).toEqual(['7001 RECOVERY_STATUS_DRAFT', '7002 RECOVERY_STATUS_ACTIVE']);
    expect(runIds(dir)).toEqual([]);
  });

  it('against Google Play (the real SDK, the emulator): create, deploy and list; without a terminal the change needs --yes', async () => {
    const p = await storeProject();
    try {
      const run = (args: string[]) => release(['app-recovery', ...args], { cwd: p.dir, env: p.env });
      const unconfirmed = await run(['create', '--versions', '140-142', '--reason', 'double charge']);
      expect(unconfirmed.code).toBe(10);
      expect(p.play.recoveries.size).toBe(0);

      expect(unconfirmed.stderr).toContain('--yes');
      // The stopped run keeps its place: resuming it with --yes creates the draft.
      const created = await release(['resume', 'latest', '--yes'], { cwd: p.dir, env: p.env });
      expect(created.code, created.stderr).toBe(0);
      const [id] = [...p.play.recoveries.keys()];
      expect(p.play.recoveries.get(id!)).toMatchObject({ status: 'RECOVERY_STATUS_DRAFT', targeting: { versionRange: { versionCodeStart: '140', versionCodeEnd: '142' } } });

      const deployed = await run(['deploy', id!, '--versions', '140-142', '--reason', 'double charge', '--yes']);
      expect(deployed.code, deployed.stderr).toBe(0);
      expect(p.play.recoveries.get(id!)!.status).toBe('RECOVERY_STATUS_ACTIVE');

      const listed = await run(['list', '--versions', '141', '--json']);
      expect(ndjson(listed.stdout)).toEqual([expect.objectContaining({ id, state: 'active', versions: { start: 140, end: 142 } })]);
    } finally {
      await p.stop();
    }
  });
});
