/** Engine guarantee 7: gates checkpoint and exit 10 without a terminal; signoff and resume continue. */
import { describe, expect, it } from 'vitest';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { testdir } from '../helpers/testdir.js';
import { countEffects, onlyRun, readEvents, readWorld } from '../helpers/world.js';

describe('--sandbox-gates manual --no-input', () => {
  it('exits 10 at each gate; signoff --approve then resume continues to the end', async () => {
    const dir = testdir();
    const first = await release(['flip', '--sandbox', '--sandbox-gates', 'manual', '--no-input'], { cwd: dir });
    expect(first.code, first.stderr).toBe(10);
    const runId = onlyRun(dir);
    expect(first.stderr).toContain(`release signoff ${runId} --gate internal-signoff --approve`);
    expect(first.stderr).toContain(`release resume ${runId}`);
    expect(readWorld(dir).config.maintenance_mode).toBe(true);

    const gates: string[] = [];
    let code = first.code;
    for (let round = 0; code === 10 && round < 5; round++) {
      const status = await release(['status', runId, '--json'], { cwd: dir });
      const waitingAt = (JSON.parse(status.stdout) as { waitingAt: { gate: string } }).waitingAt.gate;
      gates.push(waitingAt);
      const signoff = await release(['signoff', runId, '--approve', '--by', 'qa'], { cwd: dir });
      expect(signoff.code, signoff.stderr).toBe(0);
      const resumed = await release(['resume', runId], { cwd: dir });
      code = resumed.code;
    }
    expect(code).toBe(0);
    expect(gates).toEqual(['internal-signoff', 'play-publish']);

    const decisions = readEvents(dir).filter((e) => e.type === 'gate.decided');
    expect(decisions).toEqual([
      expect.objectContaining({ gate: 'internal-signoff', approved: true, by: 'qa', source: 'signoff' }),
      expect.objectContaining({ gate: 'play-publish', approved: true, by: 'qa', source: 'signoff' }),
    ]);
    const world = readWorld(dir);
    expect(countEffects(world, 'store.publish')).toBe(2);
    expect(world.config.maintenance_mode).toBe(false);
  });

  it('a rejection with a reason rolls back on resume', async () => {
    const dir = testdir();
    expect((await release(['flip', '--sandbox', '--sandbox-gates', 'manual'], { cwd: dir })).code).toBe(10);
    const runId = onlyRun(dir);
    const noReason = await release(['signoff', runId, '--reject'], { cwd: dir });
    expect(noReason.code).toBe(2);
    expect((await release(['signoff', runId, '--reject', '--by', 'qa', '--reason', 'login broken'], { cwd: dir })).code).toBe(0);
    const resumed = await release(['resume', runId], { cwd: dir });
    expect(resumed.code).toBe(3);
    expect(resumed.stderr).toContain('rejected by qa: login broken');
    const world = readWorld(dir);
    expect(world.config).toEqual(world.initialConfig);
    expect(world.backend.version).toBe(world.initialBackendVersion);
  });

  it('signoff of a run that waits at no gate is refused', async () => {
    const dir = testdir();
    expect((await release(['flip', '--sandbox'], { cwd: dir })).code).toBe(0);
    const result = await release(['signoff', onlyRun(dir), '--approve'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('waits at no gate');
  });

  it('CI=1 never prompts: a gate exits 10', async () => {
    const dir = testdir();
    const result = await release(['flip', '--sandbox', '--sandbox-gates', 'manual'], { cwd: dir, env: { CI: 'true' } });
    expect(result.code).toBe(10);
  });
});
