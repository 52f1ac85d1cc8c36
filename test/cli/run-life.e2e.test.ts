/**
 * One owner for a run's life, proven with real child processes and real signals: a kill at each
 * point of a run's life leaves a state the printed command recovers from; a live run's lock cannot
 * be taken or forced away by accident; closed pipes and closed terminals never strand a run.
 */
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv, firstRunId, release as releaseChild, startRelease, stdoutShows } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { testdir } from '../helpers/testdir.js';
import { countEffects, journalPath, onlyRun, readEvents, readWorld } from '../helpers/world.js';

const locksOf = (dir: string) => {
  try {
    return readdirSync(join(dir, '.release', 'locks')).filter((n) => n.endsWith('.lock.json'));
  } catch {
    return [];
  }
};
const lockOf = (dir: string) => JSON.parse(readFileSync(join(dir, '.release', 'locks', locksOf(dir)[0]!), 'utf8')) as { id: string; pid: number | null; runId: string };

async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(25);
  }
}

function expectHappy(dir: string, runId?: string): void {
  const world = readWorld(dir, runId);
  expect(world.config.maintenance_mode).toBe(false);
  expect(world.backend.version).toBe('2.0.0');
  expect(countEffects(world, 'backend.deploy')).toBe(1);
  for (const p of ['ios', 'android'] as const) expect(countEffects(world, 'store.publish', p)).toBe(1);
}

// Crash points are armed by the environment of a process, and a PID namespace is a process's:
// the runs that crash, or that are killed or namespaced, are child processes. The commands that
// look at what they left, and everything else, run in-process.
describe('a kill at each point of a run\'s life', () => {
  it('while the lock file is written aside: no lock appears, and the next flip runs', async () => {
    const dir = testdir();
    const killed = await releaseChild(['flip', '--sandbox'], { cwd: dir, env: { RELEASE_CRASH_AT: 'lock-written-aside' } });
    expect(killed.code).not.toBe(0);
    expect(locksOf(dir)).toEqual([]);
    const next = await release(['flip', '--sandbox'], { cwd: dir });
    expect(next.code, next.stderr).toBe(0);
  });

  it('after the lock, before run.created: the next flip clears the lock of a run that never started', async () => {
    const dir = testdir();
    const killed = await releaseChild(['flip', '--sandbox'], { cwd: dir, env: { RELEASE_CRASH_AT: 'after-lock' } });
    expect(killed.code).not.toBe(0);
    expect(locksOf(dir)).toHaveLength(1);
    const next = await release(['flip', '--sandbox'], { cwd: dir });
    expect(next.code, next.stderr).toBe(0);
    expect(locksOf(dir)).toEqual([]);
  });

  it('after run.created: a new flip points at the run, and `release resume` finishes it', async () => {
    const dir = testdir();
    const killed = await releaseChild(['flip', '--sandbox'], { cwd: dir, env: { RELEASE_CRASH_AT: 'after-created' } });
    expect(killed.code).not.toBe(0);
    const runId = onlyRun(dir);
    const blocked = await release(['flip', '--sandbox'], { cwd: dir });
    expect(blocked.code).toBe(5);
    expect(blocked.stderr).toContain(`release resume ${runId}`);
    const resumed = await release(['resume', runId], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expectHappy(dir, runId);
    expect(locksOf(dir)).toEqual([]);
  });

  it('after run.finished, before the unlock: resume says it ended and clears the lock; a new flip runs', async () => {
    const dir = testdir();
    const killed = await releaseChild(['flip', '--sandbox'], { cwd: dir, env: { RELEASE_CRASH_AT: 'after-finished' } });
    expect(killed.code).not.toBe(0);
    expect(locksOf(dir)).toHaveLength(1);
    const resumed = await release(['resume', 'latest'], { cwd: dir });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/already ended[\s\S]*lock .* cleared/);
    expect(locksOf(dir)).toEqual([]);

    const again = testdir();
    await releaseChild(['flip', '--sandbox'], { cwd: again, env: { RELEASE_CRASH_AT: 'after-finished' } });
    const next = await release(['flip', '--sandbox'], { cwd: again });
    expect(next.code, next.stderr).toBe(0);
  });
});

describe('pipes and terminals', () => {
  it('`release flip --sandbox 2>&1 | head -3` still finishes the run and releases the lock', async () => {
    const dir = testdir();
    const piped = await execa('bash', ['-c', `node ${JSON.stringify(BIN)} flip --sandbox --sandbox-latency 20ms 2>&1 | head -3`], { cwd: dir, env: cliEnv(), extendEnv: false, reject: false });
    expect(String(piped.stdout).split('\n')).toHaveLength(3);
    await until(() => readEvents(dir).some((e) => e.type === 'run.finished'), 'the run to finish after its reader left');
    await until(() => locksOf(dir).length === 0, 'the lock to be released');
    const status = await release(['status', 'latest', '--json'], { cwd: dir });
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'succeeded', lock: null });
  });

  it('SIGHUP (the terminal closed) interrupts the step, parks the lock, and resume finishes', async () => {
    const dir = testdir();
    const child = startRelease(['flip', '--sandbox', '--sandbox-latency', '300ms', '--json'], { cwd: dir });
    const runId = await firstRunId(child);
    // A step in flight (not one being planned): its simulated calls take 300 ms each.
    await stdoutShows(child, '"type":"step.started"');
    child.kill('SIGHUP');
    const stopped = await child;
    expect(stopped.exitCode).toBe(130);
    expect(readEvents(dir, runId).some((e) => e.type === 'step.interrupted')).toBe(true);
    expect(lockOf(dir).pid).toBeNull();
    // The signal needed the latency (a step in flight); the resume does not.
    const resumed = await release(['resume', runId, '--sandbox-latency', '0ms'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expectHappy(dir, runId);
  });
});

describe('a live run keeps its lock', () => {
  it('force-unlock of a live run exits 5 naming the holder; with --force the holder stops at its next append', async () => {
    const dir = testdir();
    const child = startRelease(['flip', '--sandbox', '--sandbox-latency', '300ms', '--json'], { cwd: dir });
    const runId = await firstRunId(child);
    await until(() => locksOf(dir).length === 1, 'the lock');
    const lock = lockOf(dir);
    const refused = await release(['force-unlock', lock.id, '--yes'], { cwd: dir });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain(`pid ${child.pid}`);
    expect(refused.stderr).toContain('--force');
    const resumeRefused = await release(['resume', runId], { cwd: dir });
    expect(resumeRefused.code).toBe(5);

    // The holder is frozen, its lock forced away; woken, it must not write another line.
    process.kill(child.pid!, 'SIGSTOP');
    const forced = await release(['force-unlock', lock.id, '--force', '--yes'], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('warning');
    const linesAtUnlock = readFileSync(journalPath(join(dir, '.release'), runId), 'utf8').split('\n').filter(Boolean).length;
    process.kill(child.pid!, 'SIGCONT');
    const holder = await child;
    expect(holder.exitCode).toBe(5);
    expect(String(holder.stderr)).toContain('lost the lock');
    expect(readFileSync(journalPath(join(dir, '.release'), runId), 'utf8').split('\n').filter(Boolean)).toHaveLength(linesAtUnlock);

    const resumed = await release(['resume', runId, '--sandbox-latency', '0ms'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expectHappy(dir, runId);
  });

  const unshare = execa('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { reject: false });
  it('a run started in another PID namespace (same host name) cannot be taken over while it works', async () => {
    if ((await unshare).exitCode !== 0) {
      console.warn('skipped: this machine does not allow a new PID namespace (unshare needs root)');
      return;
    }
    const dir = testdir();
    const child = execa('unshare', ['--pid', '--fork', '--mount-proc', 'node', BIN, 'flip', '--sandbox', '--sandbox-latency', '300ms'], { cwd: dir, env: cliEnv(), extendEnv: false, reject: false });
    try {
      // Started: its lock taken and run.created journaled (a run directory alone is not yet a run).
      const created = () => {
        const runs = existsSync(join(dir, '.release', 'runs')) ? readdirSync(join(dir, '.release', 'runs')) : [];
        const journal = runs.length === 1 ? journalPath(join(dir, '.release'), runs[0]!) : '';
        return journal !== '' && existsSync(journal) && readFileSync(journal, 'utf8').includes('"type":"run.created"');
      };
      await until(() => locksOf(dir).length === 1 && created(), 'the namespaced run to start');
      const runId = onlyRun(dir);
      // Inside its namespace the holder is pid 1 or so: here that pid is someone else, or nobody.
      expect(lockOf(dir).pid).toBeLessThan(10);
      const resume = await release(['resume', runId], { cwd: dir });
      expect(resume.code, resume.stderr).toBe(5);
      expect(resume.stderr).toMatch(/lease renewed .* ago/);
      const force = await release(['force-unlock', lockOf(dir).id, '--yes'], { cwd: dir });
      expect(force.code).toBe(5);
      const result = await child;
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expectHappy(dir, runId);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('nothing that can fail runs after the lock without parking or releasing it', () => {
  it('a bad flag leaves no lock and no run', async () => {
    const dir = testdir();
    const bad = await release(['flip', '--sandbox', '--wait', 'forever'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(locksOf(dir)).toEqual([]);
    expect(existsSync(join(dir, '.release', 'runs'))).toBe(false);
    expect((await release(['flip', '--sandbox'], { cwd: dir })).code).toBe(0);
  });

  it('resume of a run whose sandbox world is missing fails before the lock: it stays parked', async () => {
    const dir = testdir();
    expect((await release(['flip', '--sandbox', '--until', 'deploy-backend'], { cwd: dir })).code).toBe(0);
    const runId = onlyRun(dir);
    rmSync(join(dir, '.release', 'runs', runId, 'sandbox.json'));
    const resumed = await release(['resume', runId], { cwd: dir });
    expect(resumed.code).not.toBe(0);
    expect(resumed.stderr).toContain('sandbox world of this run is missing');
    expect(lockOf(dir).pid).toBeNull();
  });
});

describe('release repair', () => {
  it('a lost deploy line: every command refuses naming it; repair shows the world and --abandon closes the run', async () => {
    const dir = testdir();
    expect((await release(['flip', '--sandbox', '--until', 'deploy-backend'], { cwd: dir })).code).toBe(0);
    const runId = onlyRun(dir);
    const file = journalPath(join(dir, '.release'), runId);
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const at = lines.findIndex((l) => l.includes('"type":"step.started","step":"deploy-backend"'));
    writeFileSync(file, lines.map((l, i) => (i === at ? `#${l.slice(1)}` : l)).join('\n') + '\n');

    const status = await release(['status', runId], { cwd: dir });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`DAMAGED: journal line ${at + 1}`);
    expect(status.stdout).toMatch(/enter-maintenance\s+succeeded/);
    for (const cmd of [['resume', runId], ['rollback', runId], ['signoff', runId, '--approve']]) {
      const refused = await release(cmd, { cwd: dir });
      expect(refused.code, cmd.join(' ')).toBe(7);
      expect(refused.stderr).toContain(`line ${at + 1}`);
      expect(refused.stderr).toContain(`release repair ${runId}`);
    }
    const world = readFileSync(join(dir, '.release', 'runs', runId, 'sandbox.json'), 'utf8');

    const shown = await release(['repair', runId], { cwd: dir });
    expect(shown.code).toBe(7);
    // The journal lost the deploy, but the world serves the new backend: flagged.
    expect(shown.stdout).toMatch(/! backend version\s+\(untouched\)\s+2\.0\.0/);
    expect(shown.stdout).toMatch(/  config maintenance_mode\s+true\s+true/);
    expect(shown.stderr).toContain('--abandon');
    const closed = await release(['repair', runId, '--abandon', '--reason', 'rolled back by hand', '--yes'], { cwd: dir });
    expect(closed.code, closed.stderr).toBe(0);
    expect(readFileSync(join(dir, '.release', 'runs', runId, 'sandbox.json'), 'utf8')).toBe(world);
    const after = JSON.parse((await release(['status', runId, '--json'], { cwd: dir })).stdout);
    expect(after).toMatchObject({ status: 'abandoned', lock: null });
    expect(readdirSync(join(dir, '.release', 'runs', runId)).some((n) => n.startsWith('journal.damaged-'))).toBe(true);
    expect((await release(['resume', runId], { cwd: dir })).code).not.toBe(0);
  });

  it('a corrupted last line of a parked run: --accept trusts what precedes it, and resume finishes', async () => {
    const dir = testdir();
    expect((await release(['flip', '--sandbox', '--until', 'deploy-backend'], { cwd: dir })).code).toBe(0);
    const runId = onlyRun(dir);
    const file = journalPath(join(dir, '.release'), runId);
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(lines.at(-1)).toContain('"run.paused"');
    writeFileSync(file, [...lines.slice(0, -1), lines.at(-1)!.replace('"until"', '"untiX"')].join('\n') + '\n');
    expect((await release(['resume', runId], { cwd: dir })).code).toBe(7);
    const accepted = await release(['repair', runId, '--accept', '--reason', 'only the pause line was lost', '--yes'], { cwd: dir });
    expect(accepted.code, accepted.stderr).toBe(0);
    const resumed = await release(['resume', runId], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expectHappy(dir, runId);
    expect(readEvents(dir, runId).some((e) => e.type === 'run.repaired')).toBe(true);
  });
});
