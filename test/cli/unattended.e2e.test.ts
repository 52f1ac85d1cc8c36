/**
 * Issue 8, humans: nothing irreversible runs unasked without a terminal; every stop says what is
 * live and both ways on; a partly simulated run says which parts are real; the failing call's
 * next step reaches the terminal.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ndjson } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { testdir } from '../helpers/testdir.js';
import { onlyRun, readEvents } from '../helpers/world.js';

const LIVE = { ios: { minimum_version: '1.3.0', latest_version: '1.4.2' }, android: { minimum_version: '1.3.0', latest_version: '1.4.2' }, maintenance_mode: false, feature_flags: {} };

/** A real remote config (a JSON file); the stores, backend and testers are the sandbox's. */
function fileConfigProject() {
  return testdir({
    'remote-config.json': JSON.stringify(LIVE, null, 2) + '\n',
    'release.config.yaml': `app:
  name: Example Shop
  version: 2.0.0
  ios: { bundleId: com.example.shop }
  android: { package: com.example.shop }
remoteConfig: { provider: file, path: remote-config.json }
sandbox:
  liveVersion: 1.4.2
`,
  });
}

describe('without a terminal, a step that asks runs only with --yes', () => {
  it('a real file config and no --yes: exit 10 before enter-maintenance, nothing changed; resume --yes goes on', async () => {
    const dir = fileConfigProject();
    const before = readFileSync(join(dir, 'remote-config.json'), 'utf8');
    const flip = await release(['flip'], { cwd: dir });
    expect(flip.code, flip.stderr).toBe(10);
    const runId = onlyRun(dir);
    expect(flip.stderr).toContain('Stopped before enter-maintenance');
    expect(flip.stderr).toContain(`release resume ${runId} --yes`);
    expect(readFileSync(join(dir, 'remote-config.json'), 'utf8')).toBe(before);
    expect(readEvents(dir, runId).some((e) => e.type === 'step.started' && e.step === 'enter-maintenance')).toBe(false);
    // A mixed run says what is real, in its header and its journal.
    expect(flip.stderr).toMatch(/REAL: config file; simulated: ios store, android store, backend, sign-off/);
    expect(readEvents(dir, runId)[0]).toMatchObject({ release: { ports: { config: 'file', backend: 'simulated' } } });

    const again = await release(['resume', runId], { cwd: dir });
    expect(again.code).toBe(10);
    const resumed = await release(['resume', runId, '--yes'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'remote-config.json'), 'utf8'))).toMatchObject({ maintenance_mode: false, ios: { minimum_version: '2.0.0' } });
  });

  it('a rehearsal (every port simulated) needs no --yes: flip --sandbox --json </dev/null exits 0', async () => {
    const dir = testdir();
    const flip = await release(['flip', '--sandbox', '--json'], { cwd: dir });
    expect(flip.code, flip.stderr).toBe(0);
    expect(ndjson(flip.stdout).at(-1)).toMatchObject({ type: 'run.exit', status: 'succeeded' });
    expect(flip.stderr).toContain('sandbox: every port simulated');
  });
});

describe('every stop says what is live now, and both ways on', () => {
  it('a run stopped after the deploy: the wall is up, the backend is new; resume and rollback are offered, in the output and in status', async () => {
    const dir = testdir();
    const stopped = await release(['flip', '--sandbox', '--until', 'deploy-backend', '--json'], { cwd: dir });
    expect(stopped.code).toBe(0);
    const runId = onlyRun(dir);
    for (const text of [stopped.stderr, (await release(['status', runId], { cwd: dir })).stdout]) {
      expect(text).toMatch(/Wall: UP/);
      expect(text).toMatch(/Backend: 2\.0\.0 is live \(was 1\.4\.2\)/);
      expect(text).toMatch(/Stores: nothing published yet/);
      expect(text).toContain(`release resume ${runId}`);
      expect(text).toContain(`release rollback ${runId}`);
    }
    expect(ndjson(stopped.stdout).at(-1)).toMatchObject({ type: 'run.exit', live: expect.arrayContaining([expect.stringMatching(/^Wall: UP/)]) });
  });

  it('after the pivot only the way forward is offered', async () => {
    const dir = testdir();
    const stopped = await release(['flip', '--sandbox', '--sandbox-fail', 'publish-stores:android'], { cwd: dir });
    expect(stopped.code).toBe(7);
    expect(stopped.stderr).toMatch(/Stores: partly published \(cannot be undone\)/);
    const status = await release(['status', 'latest'], { cwd: dir });
    expect(status.stdout).toContain('release resume');
    expect(status.stdout).not.toContain('release rollback');
  });
});

describe('doctor and summaries label each port', () => {
  it('doctor on an all-sandbox config ticks nothing it did not check', async () => {
    const doctor = await release(['doctor', '--sandbox'], { cwd: testdir() });
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).not.toMatch(/✔ (ios store|android store|remote config|backend|sign-off)/);
    expect(doctor.stdout).toMatch(/○ backend: simulated/);
    expect(doctor.stderr).toContain('Every port is simulated');
    expect(doctor.stderr).not.toContain('Everything reachable');
  });

  it('the summary and the report name each port', async () => {
    const dir = fileConfigProject();
    await release(['flip', '--yes'], { cwd: dir });
    const report = await release(['report', 'latest'], { cwd: dir });
    expect(report.stdout).toMatch(/Ports: ios store \*\*simulated\*\*.*config \*\*file\*\*/);
  });
});

describe('a rejection', () => {
  it('is printed once; the lines after it point back to it', async () => {
    const rejected = await release(['flip', '--sandbox', '--sandbox-fail', 'internal-signoff'], { cwd: testdir() });
    expect(rejected.code).toBe(3);
    expect(rejected.stderr.split('the new app fails against the new backend')).toHaveLength(2);
    expect(rejected.stderr).toContain('(the reason above)');
  });
});
