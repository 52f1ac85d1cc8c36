/**
 * The App Store Connect adapter and its real SDK against the emulator, when the store misbehaves:
 * a write whose answer is lost, 401s, 429s and an hourly budget, and Ctrl-C during any wait.
 * (Issue 8, items 9, 10 and 13.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/providers/stores/store-error.js';
import { AppStoreConnectEmulator, appleError } from '../emulators/app-store-connect.js';
import { expectEndsOnAbort } from '../helpers/abort.js';
import { ascStore } from '../helpers/store-adapters.js';
import { testdir } from '../helpers/testdir.js';

let asc: AppStoreConnectEmulator;
let dir: string;

beforeEach(async () => {
  asc = new AppStoreConnectEmulator();
  await asc.start();
  dir = testdir({ 'AuthKey.p8': asc.privateKeyPem });
});

afterEach(() => asc.stop());

const store = (env: NodeJS.ProcessEnv = {}) => ascStore(asc, dir, {}, env);

const unavailable = (status = 503) => ({ ...appleError(status, 'UNEXPECTED_ERROR', 'An unexpected error occurred.', 'Please try again later.'), headers: { 'retry-after': '0' } });
const rateLimited = (retryAfter?: string) => ({
  ...appleError(429, 'RATE_LIMIT_EXCEEDED', 'The request rate limit has been reached.', "We've received too many requests for this API."),
  ...(retryAfter ? { headers: { 'retry-after': retryAfter } } : {}),
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => undefined, (e: unknown) => e);
}

const calls = (method: string, path: RegExp) => asc.server.calls.filter((c) => c.method === method && path.test(c.path));

describe('a write whose outcome is unknown is settled by reading the store back', () => {
  it('a 503 Apple did not act on: the version still reads pending, so the request is sent again, once', async () => {
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    asc.server.failNext(/appStoreVersionReleaseRequests$/, unavailable(), { method: 'POST' });
    const progress: string[] = [];
    await store().publish('2.0.0', { progress: (m) => progress.push(m) });
    expect(asc.version().appVersionState).toBe('READY_FOR_DISTRIBUTION');
    expect(calls('POST', /appStoreVersionReleaseRequests$/).map((c) => c.status)).toEqual([503, 201]);
    // Between the two: the version was read back.
    const [first, second] = calls('POST', /appStoreVersionReleaseRequests$/);
    expect(calls('GET', /appStoreVersions$/).some((c) => c.at >= first!.at && c.at <= second!.at)).toBe(true);
    expect(asc.releaseRequestsProcessed).toBe(1);
    expect(progress).toContainEqual(expect.stringContaining('POST /v1/appStoreVersionReleaseRequests: 503, not done (read back)'));
  });

  it('a 503 after Apple acted (the answer was lost): the read-back finds it releasing, and nothing is sent again', async () => {
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    asc.server.failNext(/appStoreVersionReleaseRequests$/, unavailable(), { method: 'POST', after: true });
    await store().publish('2.0.0', {});
    expect(asc.version().appVersionState).toBe('READY_FOR_DISTRIBUTION');
    expect(calls('POST', /appStoreVersionReleaseRequests$/)).toHaveLength(1);
    expect(asc.releaseRequestsProcessed).toBe(1);
  });

  it('a connection reset before Apple acted is settled the same way', async () => {
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    asc.server.failNext(/appStoreVersionReleaseRequests$/, { status: 0, reset: true }, { method: 'POST' });
    await store().publish('2.0.0', {});
    expect(calls('POST', /appStoreVersionReleaseRequests$/).map((c) => c.status)).toEqual([0, 201]);
    expect(asc.releaseRequestsProcessed).toBe(1);
  });

  it('a phased release Apple created but answered 502 for is not created twice', async () => {
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    asc.server.failNext(/appStoreVersionPhasedReleases$/, unavailable(502), { method: 'POST', after: true });
    const s = store();
    await s.publish('2.0.0', { phased: true });
    expect(calls('POST', /appStoreVersionPhasedReleases$/)).toHaveLength(1);
    expect(await s.rollout.read('2.0.0')).toMatchObject({ state: 'staged', detail: 'ACTIVE (day 1)' });
  });

  it('when the version cannot be read back either, the outcome is called unknown and the request is not sent again', async () => {
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    asc.server.failNext(/appStoreVersionReleaseRequests$/, () => {
      asc.server.failNext(/appStoreVersions$/, unavailable(), { method: 'GET', times: 20 });
      return unavailable();
    }, { method: 'POST' });
    const err = await rejection(store().publish('2.0.0', {}));
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).info).toMatchObject({ outcome: 'unknown', retryable: false, status: 503 });
    expect((err as StoreError).message).toContain('whether it took effect is unknown');
    expect(calls('POST', /appStoreVersionReleaseRequests$/)).toHaveLength(1);
  });
});

describe('401s get a fresh token; 429s and the hourly budget pace the calls', () => {
  it('two 401s in a row: each retry carries a freshly signed token, and the read succeeds', async () => {
    asc.seed();
    const sent: string[] = [];
    const authenticate = asc.server.before!;
    asc.server.before = (req) => {
      if (/appStoreVersions$/.test(req.path)) sent.push(String(req.headers.authorization));
      return authenticate(req);
    };
    asc.server.failNext(/appStoreVersions$/, appleError(401, 'NOT_AUTHORIZED', 'Authentication credentials are missing or invalid.', 'Provide a properly configured and signed bearer token.'), { times: 2 });
    expect((await store().readRelease('2.0.0')).state).toBe('in-review');
    expect(calls('GET', /appStoreVersions$/).map((c) => c.status)).toEqual([401, 401, 200]);
    expect(new Set(sent).size).toBe(3);
  });

  it('a 429 with Retry-After: waits as asked, says when the next call goes, then carries on', async () => {
    asc.seed();
    asc.server.failNext(/appStoreVersions$/, rateLimited('1'));
    const progress: string[] = [];
    const started = Date.now();
    expect((await store().readRelease('2.0.0', undefined, (m) => progress.push(m))).state).toBe('in-review');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(progress).toContainEqual(expect.stringMatching(/rate limit hit \(429\).* next App Store Connect call at \d\d:\d\d:\d\d \(in (9\d\dms|1\.0s)\)/));
  });

  it('a budget of 6 calls: reads are paced to it, never take the last call, and never meet a 429', async () => {
    asc.seed();
    asc.budget = { limit: 6, windowMs: 1000 };
    const s = store({ RELEASE_ASC_RATE_WINDOW: '1000ms' });
    const progress: string[] = [];
    for (let i = 0; i < 9; i++) expect((await s.readRelease('2.0.0', undefined, (m) => progress.push(m))).state).toBe('in-review');
    expect(asc.server.calls.filter((c) => c.status === 429)).toEqual([]);
    // At most 5 reads in any window of one second: the 6th call stays in reserve.
    const times = asc.server.calls.map((c) => c.at);
    expect(Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length))).toBeLessThanOrEqual(5);
    expect(progress).toContainEqual(expect.stringMatching(/App Store Connect budget: 1 of 6 calls left this hour, 1 kept in reserve — next App Store Connect call at \d\d:\d\d:\d\d/));
  });

  it('the reserve is for writes: the release request goes at once where a read would wait', async () => {
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    asc.budget = { limit: 6, windowMs: 1500 };
    const s = store({ RELEASE_ASC_RATE_WINDOW: '1500ms' });
    await s.readRelease('2.0.0'); // apps + versions
    await s.readRelease('2.0.0');
    await s.readRelease('2.0.0'); // 4 calls: 2 left
    await s.publish('2.0.0', {}); // a read (1 left), then the release request takes the reserve
    const post = calls('POST', /appStoreVersionReleaseRequests$/)[0]!;
    const before = asc.server.calls[asc.server.calls.indexOf(post) - 1]!;
    expect(post.status).toBe(201);
    expect(post.at - before.at).toBeLessThan(300);
    expect(asc.server.calls.filter((c) => c.status === 429)).toEqual([]);
  });
});

describe('every wait ends at once on Ctrl-C', () => {
  it('during a Retry-After wait', { timeout: 10_000 }, async () => {
    asc.seed();
    asc.server.failNext(/appStoreVersions$/, rateLimited('30'));
    await expectEndsOnAbort((signal) => store().readRelease('2.0.0', signal));
  });

  it('during a wait for the hourly budget', { timeout: 10_000 }, async () => {
    asc.seed();
    asc.budget = { limit: 3, windowMs: 30_000 };
    const s = store({ RELEASE_ASC_RATE_WINDOW: '30s' });
    await s.readRelease('2.0.0'); // 2 calls: the last one is the reserve
    await expectEndsOnAbort((signal) => s.readRelease('2.0.0', signal));
  });

  it('during the backoff after a 5xx', { timeout: 10_000 }, async () => {
    asc.seed();
    asc.server.failNext(/appStoreVersions$/, { ...unavailable(), headers: { 'retry-after': '30' } }, { method: 'GET' });
    await expectEndsOnAbort((signal) => store().readRelease('2.0.0', signal));
  });
});
