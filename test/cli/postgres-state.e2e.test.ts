/**
 * Run state in a real PostgreSQL (started by this file), shared by processes on different
 * "hosts": each has its own working directory, actor and HOSTNAME, and no file in common. The
 * sandbox world travels with the run in the database too, so what every test checks (effects
 * exactly once) is read from there.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { DurableEvent } from '../../src/engine/events.js';
import { openLine } from '../../src/engine/journal-line.js';
import type { SandboxWorld } from '../../src/providers/sandbox/world.js';
import { firstRunId, ndjson, release, startRelease } from '../helpers/cli.js';
import { usePostgres } from '../helpers/postgres.js';
import { testdir } from '../helpers/testdir.js';
import { countEffects } from '../helpers/world.js';

const server = usePostgres();

interface Host {
  cwd: string;
  env: Record<string, string>;
}

/** `onFinished`: a concurrent test's own onTestFinished (see testdir). */
async function hosts(names: string[], extra: Record<string, string> = {}, onFinished: (fn: () => void) => void = onTestFinished): Promise<{ url: string; database: string; host: Record<string, Host> }> {
  const url = await server.freshDatabase();
  const host: Record<string, Host> = {};
  // TMPDIR: where each host keeps its working copies; a killed process leaves its copy there, removed with the test.
  for (const name of names) host[name] = { cwd: testdir({}, onFinished), env: { RELEASE_STATE_URL: url, HOSTNAME: `host-${name}`, RELEASE_ACTOR: `actor-${name}`, TMPDIR: testdir({}, onFinished), ...extra } };
  return { url, database: new URL(url).pathname.slice(1), host };
}

async function worldOf(database: string, runId: string): Promise<SandboxWorld> {
  const rows = await server.sql(database, "SELECT content FROM release_kept_files WHERE run_id = $1 AND name = 'sandbox.json'", [runId]);
  return JSON.parse((rows.rows[0].content as Buffer).toString('utf8')) as SandboxWorld;
}

async function eventsOf(database: string, runId: string): Promise<DurableEvent[]> {
  const rows = await server.sql(database, 'SELECT line FROM release_journal WHERE run_id = $1 ORDER BY seq', [runId]);
  return rows.rows.map((r) => {
    const opened = openLine(r.line as string);
    if (!opened.ok) throw new Error(opened.problem);
    return opened.event;
  });
}

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

async function expectFinishedOnce(database: string, runId: string): Promise<void> {
  const world = await worldOf(database, runId);
  expect(world.config.maintenance_mode).toBe(false);
  expect(world.backend.version).toBe('2.0.0');
  for (const platform of ['ios', 'android'] as const) {
    expect(world.stores[platform]!.state).toBe('live');
    expect(countEffects(world, 'store.publish', platform)).toBe(1);
  }
  expect(countEffects(world, 'backend.deploy')).toBe(1);
  expect(countEffects(world, 'backend.rollback')).toBe(0);
  const events = await eventsOf(database, runId);
  expect(events.filter((e) => e.type === 'run.finished')).toMatchObject([{ status: 'succeeded' }]);
}

describe('run state in PostgreSQL, shared by hosts', () => {
  // These four share the server with each other, each in its own database: they run together.
  // The three after them stop the server, so each runs alone.
  it.concurrent('two hosts start a flip of the same app at once: exactly one runs, the other is refused (exit 5) naming the holder', async ({ onTestFinished }) => {
    const { database, host } = await hosts(['a', 'b'], {}, onTestFinished);
    const args = ['flip', '--sandbox', '--sandbox-latency', '100ms', '--json'];
    const [a, b] = await Promise.all([release(args, host.a!), release(args, host.b!)]);
    const codes = [a.code, b.code].sort();
    expect(codes, `${a.stderr}\n${b.stderr}`).toEqual([0, 5]);
    const loser = a.code === 5 ? a : b;
    const winner = a.code === 0 ? a : b;
    expect(loser.stderr).toMatch(/is locked by run \S+ \(flip[^)]*\) by actor-[ab]/);
    const runId = ndjson(winner.stdout).find((e) => e.runId)!.runId!;
    const runs = await server.sql(database, 'SELECT id FROM release_runs');
    expect(runs.rows.map((r) => r.id)).toEqual([runId]);
    await expectFinishedOnce(database, runId);
    for (const h of [host.a!, host.b!]) expect(filesUnder(h.cwd)).toEqual([]);
  });

  it.concurrent('paused at a gate on A, signed off from B, resumed from C: finishes exactly once, and no file under A, B or C holds the journal', async ({ onTestFinished }) => {
    const { database, host } = await hosts(['a', 'b', 'c'], {}, onTestFinished);
    const flip = await release(['flip', '--sandbox', '--sandbox-gates', 'manual', '--no-input'], host.a!);
    expect(flip.code, flip.stderr).toBe(10);
    const signoff = await release(['signoff', 'latest', '--approve', '--by', 'qa'], host.b!);
    expect(signoff.code, signoff.stderr).toBe(0);
    // The sandbox's Play console waits for "Publish changes": one more gate, then the end.
    let resumed = await release(['resume', 'latest'], host.c!);
    for (let gates = 0; resumed.code === 10 && gates < 3; gates++) {
      const gate = /--gate (\S+)/.exec(resumed.stderr)?.[1];
      expect(gate, resumed.stderr).toBeDefined();
      expect((await release(['signoff', 'latest', '--gate', gate!, '--approve', '--by', 'captain'], host.b!)).code).toBe(0);
      resumed = await release(['resume', 'latest'], host.c!);
    }
    expect(resumed.code, resumed.stderr).toBe(0);
    const runId = (await server.sql(database, 'SELECT id FROM release_runs')).rows[0].id as string;
    await expectFinishedOnce(database, runId);
    const events = await eventsOf(database, runId);
    expect(events.find((e) => e.type === 'gate.decided' && e.gate === 'internal-signoff')).toMatchObject({ approved: true, by: 'qa', source: 'signoff' });
    expect(events.filter((e) => e.type === 'run.resumed').length).toBeGreaterThanOrEqual(1);
    for (const h of [host.a!, host.b!, host.c!]) expect(filesUnder(h.cwd)).toEqual([]);
    // Any host sees the same run.
    const status = await release(['status', 'latest', '--json'], host.b!);
    expect(JSON.parse(status.stdout)).toMatchObject({ runId, status: 'succeeded' });
  });

  it.concurrent('a holder whose lock was forced away cannot append: it stops, and a resume elsewhere finishes the run once', async ({ onTestFinished }) => {
    const { database, host } = await hosts(['a', 'b', 'c'], {}, onTestFinished);
    const child = startRelease(['flip', '--sandbox', '--sandbox-latency', '250ms', '--json'], host.a!);
    const runId = await firstRunId(child);
    await delay(800);
    const lockId = (await server.sql(database, 'SELECT lock_id FROM release_locks')).rows[0].lock_id as string;
    const forced = await release(['force-unlock', lockId, '--force', '--yes'], host.b!);
    expect(forced.code, forced.stderr).toBe(0);
    const lost = await child;
    expect(lost.exitCode, String(lost.stderr)).toBe(5);
    expect(String(lost.stderr)).toContain('lost the lock');
    const before = (await eventsOf(database, runId)).length;
    // Nothing it wrote after the lock went: the last line is not its next step's. The resume needs
    // no simulated latency (the holder did, to be forced away mid-run).
    const resumed = await release(['resume', runId, '--sandbox-latency', '0ms'], host.c!);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await eventsOf(database, runId)).length).toBeGreaterThan(before);
    await expectFinishedOnce(database, runId);
  });

  it.concurrent('kill -9 of a writer mid-append (row inserted, not committed): the journal has no trace of it, and resume elsewhere settles the step and finishes once', async ({ onTestFinished }) => {
    const { database, host } = await hosts(['a', 'c'], {}, onTestFinished);
    const crashed = await release(['flip', '--sandbox', '--json'], { cwd: host.a!.cwd, env: { ...host.a!.env, RELEASE_CRASH_AT: 'row-inserted:step.succeeded:deploy-backend' } });
    expect([137, -1]).toContain(crashed.code);
    const runId = ndjson(crashed.stdout).find((e) => e.runId)!.runId!;
    const events = await eventsOf(database, runId);
    // The deploy happened (the world says so), but its success never reached the journal.
    expect(events.some((e) => e.type === 'step.started' && e.step === 'deploy-backend')).toBe(true);
    expect(events.some((e) => e.type === 'step.succeeded' && e.step === 'deploy-backend')).toBe(false);
    const resumed = await release(['resume', runId], host.c!);
    expect(resumed.code, resumed.stderr).toBe(0);
    await expectFinishedOnce(database, runId);
  });

  it('the database restarted mid-run: the run waits, reconnects and finishes', async () => {
    const { database, host } = await hosts(['a']);
    const child = startRelease(['flip', '--sandbox', '--sandbox-latency', '150ms', '--json'], host.a!);
    const runId = await firstRunId(child);
    await delay(700);
    await server.stop();
    await delay(1500);
    await server.start();
    const done = await child;
    expect(done.exitCode, String(done.stderr)).toBe(0);
    expect(String(done.stderr)).toMatch(/The state database \S+ is unreachable \(.*\): waiting up to 20 s for it\./);
    await expectFinishedOnce(database, runId);
  });

  it('the database down for longer than the wait: the run stops before its next change with the way on, and resume finishes it once', async () => {
    const { database, host } = await hosts(['a', 'c'], { RELEASE_STATE_RETRY_FOR: '1s' });
    const child = startRelease(['flip', '--sandbox', '--sandbox-latency', '150ms', '--json'], host.a!);
    const runId = await firstRunId(child);
    await delay(700);
    await server.stop();
    const stopped = await child;
    await server.start();
    expect(stopped.exitCode, String(stopped.stderr)).toBe(7);
    expect(String(stopped.stderr)).toContain(`release resume ${runId}`);
    expect(String(stopped.stderr)).toContain(`127.0.0.1:${server.port}/${database}`);
    // The way on names the database, not a disk.
    expect(String(stopped.stderr)).toContain('bring the state database back');
    expect(String(stopped.stderr)).not.toContain('check the device');
    expect(String(stopped.stderr)).not.toContain(server.password);
    const resumed = await release(['resume', runId, '--sandbox-latency', '0ms'], host.c!);
    expect(resumed.code, resumed.stderr).toBe(0);
    await expectFinishedOnce(database, runId);
  });

  it('unreachable at start: nothing half-starts (no run, no lock), and the message names the database, not the password', async () => {
    const { database, host } = await hosts(['a']);
    await server.sql(database, 'SELECT 1'); // the database exists; the server goes away
    await server.stop();
    const flip = await release(['flip', '--sandbox'], host.a!);
    await server.start();
    expect(flip.code).toBe(1);
    expect(flip.stderr).toContain(`The state database 127.0.0.1:${server.port}/${database} is unreachable`);
    expect(flip.stderr).toContain('Nothing was started');
    expect(flip.stderr).not.toContain(server.password);
    expect(filesUnder(host.a!.cwd)).toEqual([]);
    const runs = await release(['runs', '--json'], host.a!);
    expect(runs.code, runs.stderr).toBe(0);
    expect(ndjson(runs.stdout)).toEqual([]);
    expect((await server.sql(database, 'SELECT count(*)::int AS n FROM release_locks')).rows[0].n).toBe(0);
  });
});
