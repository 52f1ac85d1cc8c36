/**
 * Engine guarantee 2: kill -9 at any moment, then `release resume`, ends in the same world and
 * never deploys or publishes twice. Real child processes, real SIGKILL, real files; the resume
 * that follows is the same program run in-process (it is not about the process, and a Node
 * start-up per resume was most of this file's CPU).
 */
import { describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { firstRunId, startRelease, stdoutShows } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { testdir } from '../helpers/testdir.js';
import { countEffects, readEvents, readWorld } from '../helpers/world.js';

// A flip with 150 ms per simulated call takes about 4 s; these kill it all along the way,
// including between an effect and the journal entry that records it.
const KILL_AFTER_MS = [0, 120, 380, 650, 900, 1150, 1400, 1700, 2000, 2300, 2600, 2900, 3300, 3800];

describe('kill -9 during a flip, then resume', () => {
  it.concurrent.for(KILL_AFTER_MS)('killed %i ms after the run started: resume finishes it exactly once', async (ms, { onTestFinished }) => {
    const dir = testdir({}, onTestFinished);
    const child = startRelease(['flip', '--sandbox', '--sandbox-latency', '150ms', '--json'], { cwd: dir });
    const runId = await firstRunId(child);
    await delay(ms);
    child.kill('SIGKILL');
    const killed = await child;
    expect([137, null, -1, 0]).toContain(killed.exitCode ?? null);

    // The kill needed the latency (it lands between an effect and its journal entry); the resume
    // does not: it settles what is in doubt and finishes, without waiting on simulated calls.
    const resumed = await release(['resume', runId, '--sandbox-latency', '0ms'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);

    const world = readWorld(dir, runId);
    expect(world.config.maintenance_mode).toBe(false);
    expect(world.backend.version).toBe('2.0.0');
    for (const platform of ['ios', 'android'] as const) {
      expect(world.config[platform]).toEqual({ minimum_version: '2.0.0', latest_version: '2.0.0' });
      expect(world.stores[platform]!.state).toBe('live');
      expect(countEffects(world, 'store.publish', platform)).toBe(1);
    }
    expect(countEffects(world, 'backend.deploy')).toBe(1);
    expect(countEffects(world, 'backend.rollback')).toBe(0);
    expect(readEvents(dir, runId).at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });
  });
});

describe('Ctrl-C during a flip', () => {
  it('journals the step as interrupted, exits 130 with the resume command, and resume finishes', async () => {
    const dir = testdir();
    const child = startRelease(['flip', '--sandbox', '--sandbox-latency', '400ms', '--json'], { cwd: dir });
    const runId = await firstRunId(child);
    // A step in flight (not one being planned): its simulated calls take 400 ms each.
    await stdoutShows(child, '"type":"step.started"');
    child.kill('SIGINT');
    const stopped = await child;
    expect(stopped.exitCode).toBe(130);
    expect(String(stopped.stderr)).toContain(`release resume ${runId}`);
    expect(readEvents(dir, runId).some((e) => e.type === 'step.interrupted')).toBe(true);

    const resumed = await release(['resume', runId, '--sandbox-latency', '0ms'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    const world = readWorld(dir, runId);
    expect(countEffects(world, 'backend.deploy')).toBe(1);
    expect(world.config.maintenance_mode).toBe(false);
  });
});
