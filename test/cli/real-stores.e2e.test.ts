/**
 * `release flip` with the real store adapters (and their real SDKs) against local emulators of
 * App Store Connect and Google Play, through the spawned CLI; config, backend and sign-off are
 * the sandbox's. Scenario A and B, the Play "Publish changes" gate, rollbacks, one store live and
 * not the other, a store's rejection, tokens outliving their lifetime, secrets kept out of sight.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import type { ResultPromise } from 'execa';
import { startRelease } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { appleError } from '../emulators/app-store-connect.js';
import { GooglePlayEmulator, googleError } from '../emulators/google-play.js';
import { storeProject, type StoreProject } from '../helpers/store-project.js';
import { countEffects, onlyRun, readEvents, readWorld } from '../helpers/world.js';

/**
 * Both emulators, and a project using the real adapters against them, with faster polling; all
 * the test's own, stopped and removed when it ends (the tests run concurrently: most of their
 * time is the stores' simulated review and polling).
 */
function project({ onTestFinished }: TestContext, opts: { tokenTtl?: string } = {}): Promise<StoreProject> {
  return storeProject({ ...opts, onFinished: onTestFinished });
}

/** Presses "Publish changes" on the Play emulator once the run opens the Play gate (JSON or plain output). */
function pressPublishAtGate(child: ResultPromise, play: GooglePlayEmulator): void {
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      if (buffer.includes('"gate":"play-publish"') || buffer.includes('Gate play-publish')) {
        buffer = '';
        play.pressPublish();
      }
    });
  }
}

describe.concurrent('real store adapters against the emulators', () => {
  it('Scenario B: waits out review (longer than a token lives), passes the Play gate, publishes both, exits maintenance', async (ctx) => {
    // A 4 s token (whole seconds: 3 to 4 s) is renewed at 3/4 of its life, at least 750 ms before it
    // expires: room for a call to reach the emulator on a loaded machine (a 2 s token left 250 ms).
    const { dir, asc, play, env } = await project(ctx, { tokenTtl: '4s' });
    asc.seed();
    play.seed();
    const child = startRelease(['flip', '--yes', '--json', '--attest', 'play-managed-publishing', '--wait', '60s'], { cwd: dir, env });
    // Review takes 4.5 s (longer than a token lives) from when the run starts waiting for it, however long the start-up took.
    let reviewing = '';
    const startReview = (chunk: Buffer) => {
      reviewing += chunk.toString();
      if (!reviewing.includes('"type":"step.started","step":"wait-for-approval"')) return;
      child.stdout?.off('data', startReview);
      asc.approveAfter(4500);
      play.approveAfter(2500);
    };
    child.stdout?.on('data', startReview);
    pressPublishAtGate(child, play);
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);

    expect(asc.version().appVersionState).toBe('READY_FOR_DISTRIBUTION');
    expect(asc.server.count('POST', /appStoreVersionReleaseRequests/)).toBe(1);
    expect(play.release().lifecycle).toBe('RELEASE_LIFECYCLE_STATE_PUBLISHED');
    // The wait outlived a 4 s token: several tokens, none used past its expiry (the emulator refuses those).
    expect(new Set(asc.tokens.map((t) => t.exp)).size).toBeGreaterThan(1);
    expect(asc.server.calls.filter((c) => c.status === 401)).toHaveLength(0);

    const world = readWorld(dir);
    expect(world.config).toMatchObject({ maintenance_mode: false, ios: { minimum_version: '2.0.0' }, android: { minimum_version: '2.0.0' } });
    expect(countEffects(world, 'backend.deploy')).toBe(1);
    const decisions = readEvents(dir).filter((e) => e.type === 'gate.decided');
    expect(decisions).toEqual([
      expect.objectContaining({ gate: 'play-managed-publishing', approved: true, by: 'captain-ci', source: 'attest' }),
      expect.objectContaining({ gate: 'internal-signoff', approved: true, by: 'sandbox testers' }),
      expect.objectContaining({ gate: 'play-publish', approved: true, by: 'Google Play', source: 'store' }),
    ]);
    // Secrets are referenced, never journaled.
    const journal = readFileSync(join(dir, '.release', 'runs', onlyRun(dir), 'journal.ndjson'), 'utf8');
    expect(journal).not.toContain(play.accessToken);
    expect(journal).not.toContain(asc.privateKeyPem.split('\n')[1]!);
  });

  it('Scenario A: publishes both (Play gate included) and raises minimum_version', async (ctx) => {
    const { dir, asc, play, env } = await project(ctx);
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_APPROVED_NOT_PUBLISHED' });
    const child = startRelease(['flip', '--yes', 'scenario-a', '--json', '--wait', '60s'], { cwd: dir, env });
    pressPublishAtGate(child, play);
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(asc.version().appVersionState).toBe('READY_FOR_DISTRIBUTION');
    expect(readWorld(dir).config).toMatchObject({ maintenance_mode: false, ios: { minimum_version: '2.0.0', latest_version: '2.0.0' } });
  });

  it('without a terminal the Play gate exits 10 with the deep link; a rejection there rolls everything back', async (ctx) => {
    const { dir, asc, play, env } = await project(ctx);
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_APPROVED_NOT_PUBLISHED' });
    const first = await release(['flip', '--yes', '--attest', 'play-managed-publishing'], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(10);
    expect(first.stderr).toContain('Press "Publish changes" in the Google Play console');
    expect(first.stderr).toContain('publishes EVERY approved change');
    const runId = onlyRun(dir);
    expect(first.stderr).toContain(`release signoff ${runId} --gate play-publish --approve`);

    expect((await release(['signoff', runId, '--gate', 'play-publish', '--reject', '--reason', 'marketing is not ready'], { cwd: dir, env })).code).toBe(0);
    const resumed = await release(['resume', '--yes', runId], { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(3);
    expect(asc.server.count('POST', /appStoreVersionReleaseRequests/)).toBe(0);
    const world = readWorld(dir);
    expect(world.config).toEqual(world.initialConfig);
    expect(world.backend.version).toBe(world.initialBackendVersion);
  });

  it('Android live and iOS failing is exit 7 with the way forward; resume releases iOS only', async (ctx) => {
    const { dir, asc, play, env } = await project(ctx);
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_APPROVED_NOT_PUBLISHED' });
    asc.server.failNext(/appStoreVersionReleaseRequests/, appleError(500, 'UNEXPECTED_ERROR', 'An unexpected error occurred.', 'Please try again later.'), { times: 20 });
    const child = startRelease(['flip', '--yes', '--attest', 'play-managed-publishing', '--wait', '60s'], { cwd: dir, env });
    pressPublishAtGate(child, play);
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(7);
    expect(String(result.stderr)).toContain('Android released, but iOS: App Store Connect (com.example.shop): POST /v1/appStoreVersionReleaseRequests failed: 500 UNEXPECTED_ERROR');
    expect(String(result.stderr)).toContain('release resume');
    expect(readWorld(dir).config.maintenance_mode).toBe(true);
    expect(readEvents(dir).some((e) => e.type === 'rollback.started')).toBe(false);

    asc.server.clearFailures(); // Apple recovers
    const resumed = await release(['resume', '--yes', onlyRun(dir)], { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(asc.version().appVersionState).toBe('READY_FOR_DISTRIBUTION');
    expect(readWorld(dir).config.maintenance_mode).toBe(false);
  });

  it('a rejection during review stops at once with the store\'s words', async (ctx) => {
    const { dir, asc, play, env } = await project(ctx);
    asc.seed();
    play.seed();
    setTimeout(() => (asc.version().appVersionState = 'REJECTED'), 800).unref();
    const result = await release(['flip', '--yes', '--attest', 'play-managed-publishing'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain('iOS rejected 2.0.0: REJECTED: read Apple\'s notes in the App Store Connect Resolution Center');
    expect(readWorld(dir).effects).toEqual([]);
  });

  it('App Store releaseType AFTER_APPROVAL: the run offers to switch it (a gate), then continues', async (ctx) => {
    const { dir, asc, play, env } = await project(ctx);
    asc.seed({ releaseType: 'AFTER_APPROVAL' });
    play.seed();
    const first = await release(['flip', '--yes', '--attest', 'play-managed-publishing', '--until', 'verify-manual-publishing'], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(10);
    expect(first.stderr).toContain('Gate ios-release-type');
    const runId = onlyRun(dir);
    expect((await release(['signoff', runId, '--approve', '--by', 'lead'], { cwd: dir, env })).code).toBe(0);
    const resumed = await release(['resume', '--yes', runId, '--until', 'verify-manual-publishing'], { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(asc.version().releaseType).toBe('MANUAL');
  });

  it('a locked AFTER_APPROVAL releaseType stops before anything changes, saying why', async (ctx) => {
    const { dir, asc, play, env } = await project(ctx);
    asc.seed({ releaseType: 'AFTER_APPROVAL', state: 'IN_REVIEW' });
    play.seed();
    const result = await release(['flip', '--yes', '--attest', 'play-managed-publishing'], { cwd: dir, env });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('manual publishing is off and can no longer be changed for 2.0.0 (IN_REVIEW)');
    expect(readWorld(dir).effects).toEqual([]);
  });

  it('a secret in a store\'s error message is masked on the terminal and in the journal', async (ctx) => {
    const { dir, asc, play, env } = await project(ctx);
    asc.seed();
    play.seed();
    play.server.failNext(/releases$/, googleError(401, 'UNAUTHENTICATED', `Invalid Credentials: token ${play.accessToken} was revoked`, 'authError'), { times: 50 });
    const result = await release(['flip', '--yes', '--attest', 'play-managed-publishing', '--json'], { cwd: dir, env });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('token *** was revoked');
    expect(result.stderr + result.stdout).not.toContain(play.accessToken);
    expect(readFileSync(join(dir, '.release', 'runs', onlyRun(dir), 'journal.ndjson'), 'utf8')).not.toContain(play.accessToken);
  });

  it('a dry run makes only read calls to the stores', async (ctx) => {
    const { dir, asc, play, env } = await project(ctx);
    asc.seed({ releaseType: 'AFTER_APPROVAL' });
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_APPROVED_NOT_PUBLISHED' });
    const result = await release(['plan', '--json'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('switch it on (gate ios-release-type)');
    expect([...asc.server.calls, ...play.server.calls].filter((c) => c.method !== 'GET')).toEqual([]);
    expect(asc.version().releaseType).toBe('AFTER_APPROVAL');
  });

  it('release doctor checks both stores read-only, and says what is missing', async (ctx) => {
    const { dir, asc, play, env } = await project(ctx);
    asc.seed();
    play.seed();
    const ok = await release(['doctor'], { cwd: dir, env });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`✔ App Store Connect: key ${asc.keyId} reaches app com.example.shop`);
    expect(ok.stdout).toContain('✔ Google Play: the access token in PLAY_TOKEN reaches com.example.shop');
    const writes = [...asc.server.calls, ...play.server.calls].filter((c) => c.method !== 'GET');
    expect(writes).toEqual([]);

    const missing = await release(['doctor'], { cwd: dir, env: { ...env, PLAY_TOKEN: '' } });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('✖ Google Play: Google Play access token (stores.android.credentials.accessToken): env var PLAY_TOKEN is not set');
    writeFileSync(join(dir, 'AuthKey.p8'), 'garbage');
    const broken = await release(['doctor'], { cwd: dir, env });
    expect(broken.stdout).toContain('✖ App Store Connect: the .p8 key could not sign a token');
  });
});
