/**
 * Engine guarantee 5: one run per app; the second fails fast naming the holder. The holder is a
 * child process of its own; the commands that meet its lock run in-process.
 */
import { describe, expect, it } from 'vitest';
import { firstRunId, startRelease } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { testdir } from '../helpers/testdir.js';

describe('two flips of the same app', () => {
  it('the second exits 5 within seconds, naming the run that holds the lock', async () => {
    const dir = testdir();
    const first = startRelease(['flip', '--sandbox', '--sandbox-latency', '200ms', '--json'], { cwd: dir });
    const holder = await firstRunId(first);

    const started = Date.now();
    const second = await release(['flip', '--sandbox'], { cwd: dir });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(second.code).toBe(5);
    expect(second.stderr).toContain(`locked by run ${holder}`);
    expect(second.stderr).toMatch(/pid \d+/);

    expect((await first).exitCode).toBe(0);
    const third = await release(['flip', '--sandbox'], { cwd: dir });
    expect(third.code, third.stderr).toBe(0);
  });

  it('a run that stopped for a human keeps the lock; force-unlock clears it', async () => {
    const dir = testdir();
    const stuck = await release(['flip', '--sandbox', '--sandbox-fail', 'exit-maintenance'], { cwd: dir });
    expect(stuck.code).toBe(7);
    const blocked = await release(['flip', '--sandbox'], { cwd: dir });
    expect(blocked.code).toBe(5);
    expect(blocked.stderr).toContain('parked');
    const lockId = /lock (lk-[0-9a-f]+)/.exec(blocked.stderr)![1]!;

    const refused = await release(['force-unlock', lockId], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const unlocked = await release(['force-unlock', lockId, '--yes'], { cwd: dir });
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect((await release(['flip', '--sandbox'], { cwd: dir })).code).toBe(0);
  });
});
