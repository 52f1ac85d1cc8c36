/** The other playbooks and commands, through the real CLI. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ndjson } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { testdir } from '../helpers/testdir.js';
import { countEffects, journalPath, onlyRun, readWorld } from '../helpers/world.js';

const journalOf = (dir: string) => journalPath(join(dir, '.release'), onlyRun(dir));

describe('other playbooks on the sandbox', () => {
  it('scenario-a checks both APIs, publishes, then raises minimum_version without touching maintenance', async () => {
    const dir = testdir();
    const result = await release(['flip', 'scenario-a', '--sandbox'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const world = readWorld(dir);
    expect(world.config.ios).toEqual({ minimum_version: '2.0.0', latest_version: '2.0.0' });
    expect(world.config.maintenance_mode).toBe(false);
    expect(world.effects.map((e) => e.op)).toEqual(['store.publish', 'store.publish', 'config.write']);
    expect(countEffects(world, 'backend.deploy')).toBe(0);
  });

  it('scenario-a stops before anything when the new API is down', async () => {
    const dir = testdir();
    const result = await release(['flip', 'scenario-a', '--sandbox', '--sandbox-fail', 'check-api-versions'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('v2 is not healthy: v2 answers 503');
    expect(readWorld(dir).effects).toEqual([]);
  });

  it('emergency-maintenance turns maintenance on with a reason on record', async () => {
    const dir = testdir();
    const result = await release(['flip', 'emergency-maintenance', '--sandbox', '--var', 'on=true', '--var', 'reason=crash on start in 2.0.0', '--json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(readWorld(dir).config.maintenance_mode).toBe(true);
    const started = ndjson(result.stdout).find((e) => e.type === 'run.created')!;
    expect(JSON.stringify(started.playbook)).toContain('crash on start in 2.0.0');

    const missing = await release(['flip', 'emergency-maintenance', '--sandbox', '--var', 'on=true'], { cwd: testdir() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('input "reason" is required');
  });

  it('kill-switch turns one existing flag off, and refuses a flag that does not exist', async () => {
    const dir = testdir();
    const result = await release(['flip', 'kill-switch', '--sandbox', '--var', 'flag=enable_new_registration_flow', '--var', 'reason=signup fails'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(readWorld(dir).config.feature_flags).toEqual({ enable_new_registration_flow: false, show_revamped_banner: false });

    const typo = testdir();
    const refused = await release(['flip', 'kill-switch', '--sandbox', '--var', 'flag=enable_new_registration', '--var', 'reason=x'], { cwd: typo });
    expect(refused.code).toBe(2); // a wrong name is bad input, not a failed change
    expect(refused.stderr).toContain('no feature flag "enable_new_registration"');
    expect(readWorld(typo).effects).toEqual([]);
  });
});

describe('rollback, runs, status, log, report', () => {
  it('rollback undoes a run stopped with --until, in reverse order', async () => {
    const dir = testdir();
    const first = await release(['flip', '--sandbox', '--until', 'deploy-backend'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('Stopped after deploy-backend');
    expect(readWorld(dir).backend.version).toBe('2.0.0');

    const rolled = await release(['rollback', onlyRun(dir), '--json'], { cwd: dir });
    expect(rolled.code, rolled.stderr).toBe(3);
    const undone = ndjson(rolled.stdout).filter((e) => e.type === 'undo.succeeded').map((e) => e.step);
    expect(undone).toEqual(['deploy-backend', 'enter-maintenance']);
    const world = readWorld(dir);
    expect(world.config).toEqual(world.initialConfig);
    expect(world.backend.version).toBe(world.initialBackendVersion);
    expect((await release(['flip', '--sandbox'], { cwd: dir })).code).toBe(0); // the lock was released
  });

  it('rollback after the pivot is refused: nothing can be un-published', async () => {
    const dir = testdir();
    expect((await release(['flip', '--sandbox', '--sandbox-fail', 'exit-maintenance'], { cwd: dir })).code).toBe(7);
    const before = readFileSync(journalOf(dir), 'utf8');
    const refused = await release(['rollback', 'latest'], { cwd: dir });
    expect(refused.code).toBe(7);
    expect(refused.stderr).toContain('publish-stores already went live');
    expect(refused.stderr).toContain('nothing can be un-published');
    expect(readFileSync(journalOf(dir), 'utf8')).toBe(before);
  });

  it('runs, status, log and report describe a finished run', async () => {
    const dir = testdir();
    expect((await release(['flip', '--sandbox'], { cwd: dir })).code).toBe(0);
    const runId = onlyRun(dir);

    const runs = ndjson((await release(['runs', '--json'], { cwd: dir })).stdout);
    expect(runs).toEqual([expect.objectContaining({ type: 'run', runId, playbook: 'scenario-b', status: 'succeeded' })]);

    const status = await release(['status', runId], { cwd: dir });
    expect(status.stdout).toContain('Status: succeeded');
    expect(status.stdout).toMatch(/exit-maintenance\s+succeeded/);

    const log = await release(['log', runId], { cwd: dir });
    expect(log.stdout).toContain('gate internal-signoff approved by sandbox testers');

    const report = await release(['report', runId], { cwd: dir });
    expect(report.stdout).toContain('## release scenario-b: succeeded');
    expect(report.stdout).toContain('```mermaid\ngantt');
    expect(report.stdout).toMatch(/deploy-backend :done, s3, \d{13}, \d{13}/);
    expect(report.stdout).toMatch(/Walled :crit, wall, \d{13}, \d{13}/);
    expect(report.stdout).toContain('**Transition window:** old apps were walled for');
  });
});

describe('command-line conventions', () => {
  it('without a config or --sandbox, says how to start (exit 2); --json errors are NDJSON', async () => {
    const result = await release(['flip', '--json'], { cwd: testdir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('release flip --sandbox');
    expect(ndjson(result.stdout)).toEqual([expect.objectContaining({ type: 'error', kind: 'usage' })]);
  });

  it('colours only a terminal, and never with NO_COLOR', async () => {
    const coloured = await release(['flip', '--sandbox'], { cwd: testdir(), env: { FORCE_COLOR: '1' } });
    expect(coloured.stderr).toContain('\x1b[');
    const plain = await release(['flip', '--sandbox'], { cwd: testdir(), env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(plain.stderr).not.toContain('\x1b[');
    const piped = await release(['flip', '--sandbox'], { cwd: testdir() });
    expect(piped.stderr).not.toContain('\x1b[');
  });

  it('--state-dir and RELEASE_STATE_DIR move the runs, and hints carry the flag', async () => {
    const dir = testdir();
    const result = await release(['flip', '--sandbox', '--state-dir', 'elsewhere', '--sandbox-gates', 'manual'], { cwd: dir });
    expect(result.code).toBe(10);
    expect(result.stderr).toContain('--state-dir elsewhere');
    const listed = await release(['runs'], { cwd: dir, env: { RELEASE_STATE_DIR: `${dir}/elsewhere` } });
    expect(listed.stdout).toContain('scenario-b');
  });

  it('init writes a config that the sandbox flips as is', async () => {
    const dir = testdir();
    expect((await release(['init'], { cwd: dir })).code).toBe(0);
    expect((await release(['init'], { cwd: dir })).code).toBe(2);
    const result = await release(['flip'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
  });
});
