/**
 * `release flip` with the real store adapters and SDKs against the emulators (the spawned CLI
 * where the test acts on its output or signals it, in-process otherwise), when the stores
 * misbehave: a 503 at the pivot, 401s at the first step, a six-call hourly App Store budget
 * across a review, Play's Publish gate under --wait, and Ctrl-C during a store's Retry-After.
 * (Issue 8, items 9, 10, 12 and 13.)
 */
import { describe, expect, it, type TestContext } from 'vitest';
import { appleError } from '../emulators/app-store-connect.js';
import { ndjson, startRelease } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { pressPublishAtGate, storeProject, type StoreProject, type StoreProjectOptions } from '../helpers/store-project.js';
import { onlyRun, readEvents, readWorld } from '../helpers/world.js';

/** The test's own emulators and project, stopped and removed when it ends (the tests run concurrently: most of their time is waiting on the stores). */
function project({ onTestFinished }: TestContext, opts: StoreProjectOptions = {}): Promise<StoreProject> {
  return storeProject({ ...opts, onFinished: onTestFinished });
}

describe.concurrent('store calls that fail, pace or wait, in a real flip', () => {
  it('a 503 on the App Store release request at the pivot: read back, sent again, exit 0 with one release request', async (ctx) => {
    const { dir, asc, play, env } = await project(ctx);
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_APPROVED_NOT_PUBLISHED' });
    asc.server.failNext(/appStoreVersionReleaseRequests$/, appleError(503, 'UNEXPECTED_ERROR', 'An unexpected error occurred.', 'Please try again later.'), { method: 'POST' });
    const child = startRelease(['flip', '--yes', '--attest', 'play-managed-publishing', '--wait', '60s'], { cwd: dir, env });
    void pressPublishAtGate(child, play);
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(asc.releaseRequestsProcessed).toBe(1);
    expect(asc.version().appVersionState).toBe('READY_FOR_DISTRIBUTION');
    expect(readWorld(dir).config.maintenance_mode).toBe(false);
  });

  it('when the release request fails and the version cannot be read back, nothing is rolled back over a release that may be live (exit 7)', async (ctx) => {
    const { dir, asc, env } = await project(ctx, { iosOnly: true });
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    const unavailable = { ...appleError(503, 'UNEXPECTED_ERROR', 'An unexpected error occurred.', 'Please try again later.'), headers: { 'retry-after': '0' } };
    asc.server.failNext(/appStoreVersionReleaseRequests$/, () => {
      asc.server.failNext(/appStoreVersions$/, unavailable, { method: 'GET', times: 40 });
      return unavailable;
    }, { method: 'POST', after: true });
    const result = await release(['flip', '--yes'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toContain('cannot tell whether the release went out');
    expect(asc.releaseRequestsProcessed).toBe(1);
    expect(readEvents(dir).some((e) => e.type === 'rollback.started')).toBe(false);
    expect(readWorld(dir).config.maintenance_mode).toBe(true); // the wall stays up until a person looked
  });

  it('two 401s at the first step: a fresh token each time, and the flip goes on', async (ctx) => {
    const { dir, asc, play, env } = await project(ctx);
    asc.seed();
    play.seed();
    asc.server.failNext(/^\/v1\/apps$/, appleError(401, 'NOT_AUTHORIZED', 'Authentication credentials are missing or invalid.', 'Provide a properly configured and signed bearer token.'), { times: 2 });
    const result = await release(['flip', '--yes', '--attest', 'play-managed-publishing', '--until', 'verify-manual-publishing'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect(asc.server.calls.filter((c) => c.path === '/v1/apps').map((c) => c.status)).toEqual([401, 401, 200]);
  });

  it('a six-call hourly App Store budget across a review: the flip completes, never meets a 429, and shows when the next call goes', async (ctx) => {
    const { dir, asc, play, env } = await project(ctx);
    asc.seed();
    play.seed();
    // Apple's window is a rolling hour; here both sides agree on 1.5 s so the test takes seconds.
    asc.budget = { limit: 6, windowMs: 1500 };
    asc.approveAfter(2500);
    play.approveAfter(1000);
    const child = startRelease(['flip', '--yes', '--json', '--attest', 'play-managed-publishing', '--wait', '60s'], { cwd: dir, env: { ...env, RELEASE_ASC_RATE_WINDOW: '1500ms' } });
    void pressPublishAtGate(child, play);
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(asc.server.calls.filter((c) => c.status === 429)).toEqual([]);
    expect(asc.releaseRequestsProcessed).toBe(1);
    const progress = ndjson(String(result.stdout)).filter((e) => e.type === 'step.progress').map((e) => String(e.message));
    expect(progress).toContainEqual(expect.stringMatching(/App Store Connect budget: \d of 6 calls left this hour, 1 kept in reserve — next App Store Connect call at \d\d:\d\d:\d\d/));
  });

  it('under --wait, the Play Publish gate looks at Play at its poll interval with backoff, not every second', async (ctx) => {
    const { dir, asc, play, env } = await project(ctx, { androidPollInterval: '2s' });
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_APPROVED_NOT_PUBLISHED' });
    const child = startRelease(['flip', '--yes', '--json', '--attest', 'play-managed-publishing', '--wait', '60s'], { cwd: dir, env });
    const pressed = pressPublishAtGate(child, play, 4500);
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const pressedAt = await pressed;
    const opened = Date.parse(readEvents(dir).find((e) => e.type === 'gate.opened' && e.gate === 'play-publish')!.ts);
    const looks = play.server.calls.filter((c) => c.method === 'GET' && c.path.endsWith('/tracks/production/releases') && c.at >= opened && c.at < pressedAt);
    // At the gate's opening, then 2 s later (the next would be 3 s after that); every second would be 5.
    expect(looks.length).toBeGreaterThanOrEqual(1);
    expect(looks.length).toBeLessThanOrEqual(2);
    expect(readEvents(dir).filter((e) => e.type === 'gate.decided')).toContainEqual(expect.objectContaining({ gate: 'play-publish', approved: true, source: 'store' }));
  });

  it("Ctrl-C during a store's Retry-After wait stops the run at once (exit 130)", async (ctx) => {
    const { dir, asc, play, env } = await project(ctx);
    asc.seed();
    play.seed();
    asc.server.failNext(/appStoreVersions$/, { ...appleError(429, 'RATE_LIMIT_EXCEEDED', 'The request rate limit has been reached.', 'too many'), headers: { 'retry-after': '60' } }, { times: 5 });
    const child = startRelease(['flip', '--yes', '--attest', 'play-managed-publishing'], { cwd: dir, env });
    while (!asc.server.calls.some((c) => c.status === 429)) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    const interrupted = Date.now();
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(130);
    expect(Date.now() - interrupted).toBeLessThan(5000);
    expect(String(result.stderr)).toContain(`release resume ${onlyRun(dir)}`);
  });
});
