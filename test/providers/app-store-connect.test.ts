/** The App Store Connect adapter and its real SDK, against the local emulator: each operation and quirk. */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppStoreConnectConfig } from '../../src/playbook/release-config.js';
import { AppStoreConnectStore } from '../../src/providers/stores/app-store-connect.js';
import { StoreError } from '../../src/providers/stores/store-error.js';
import { AppStoreConnectEmulator, appleError } from '../emulators/app-store-connect.js';
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

const store = (overrides: Partial<AppStoreConnectConfig> = {}, env: NodeJS.ProcessEnv = {}) => ascStore(asc, dir, overrides, env);

async function failure(promise: Promise<unknown>): Promise<StoreError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(StoreError);
  return err as StoreError;
}

describe('App Store Connect: reading the release', () => {
  it('resolves the app by bundle id and the version by version string, through review', async () => {
    asc.seed();
    const s = store();
    expect(await s.readRelease('2.0.0')).toMatchObject({ state: 'in-review', storeState: 'WAITING_FOR_REVIEW', manualPublishing: 'on' });
    asc.approve();
    expect(await s.readRelease('2.0.0')).toMatchObject({ state: 'approved', storeState: 'PENDING_DEVELOPER_RELEASE' });
    expect(asc.server.count('GET', /^\/v1\/apps$/)).toBe(1); // the app id is looked up once
  });

  it('reports a missing version, and a rejection in the store\'s own words', async () => {
    asc.seed({ state: 'REJECTED' });
    expect(await store().readRelease('9.9.9')).toMatchObject({ state: 'not-submitted', storeState: 'NO_SUCH_VERSION' });
    expect(await store().readRelease('2.0.0')).toMatchObject({ state: 'rejected', storeState: 'REJECTED', rejectionReason: expect.stringContaining('Resolution Center') });
  });

  it('accepts both state names: READY_FOR_SALE (appStoreState only) is live', async () => {
    asc.seed({ state: 'READY_FOR_DISTRIBUTION' });
    asc.legacyStateNames = true;
    expect(await store().readRelease('2.0.0')).toMatchObject({ state: 'live', storeState: 'READY_FOR_SALE' });
  });

  it('checks the TestFlight build is VALID and in an internal group', async () => {
    asc.seed();
    expect(await store().readInternalTesting('2.0.0')).toEqual({ ready: true, detail: 'TestFlight build 200 of 2.0.0 is VALID for the internal group "Internal testers"' });
    asc.groups[0]!.builds = [];
    expect((await store().readInternalTesting('2.0.0')).detail).toContain('no internal TestFlight group has it');
    asc.builds[0]!.processingState = 'PROCESSING';
    expect(await store().readInternalTesting('2.0.0')).toMatchObject({ ready: false, detail: 'TestFlight build 200 of 2.0.0 is PROCESSING' });
  });
});

describe('App Store Connect: manual release type', () => {
  it('switches releaseType to MANUAL while the version is editable', async () => {
    asc.seed({ releaseType: 'AFTER_APPROVAL' });
    const s = store();
    expect(await s.readRelease('2.0.0')).toMatchObject({ manualPublishing: 'off', manualPublishingSettable: true });
    await s.setManualPublishing('2.0.0');
    expect(await s.readRelease('2.0.0')).toMatchObject({ manualPublishing: 'on' });
  });

  it('says plainly when releaseType is locked (409)', async () => {
    asc.seed({ releaseType: 'AFTER_APPROVAL', state: 'IN_REVIEW' });
    expect(await store().readRelease('2.0.0')).toMatchObject({ manualPublishingSettable: false });
    const err = await failure(store().setManualPublishing('2.0.0'));
    expect(err.info).toMatchObject({ status: 409, code: 'ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE' });
    expect(err.message).toContain("The attribute 'releaseType' can not be modified.");
    expect(err.hint).toContain('Developer Reject');
  });
});

describe('App Store Connect: publishing', () => {
  it('releases from PENDING_DEVELOPER_RELEASE once and waits until READY_FOR_DISTRIBUTION', async () => {
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    const progress: string[] = [];
    await store().publish('2.0.0', { progress: (m) => progress.push(m) });
    expect(asc.version().appVersionState).toBe('READY_FOR_DISTRIBUTION');
    expect(asc.server.count('POST', /appStoreVersionReleaseRequests/)).toBe(1);
    expect(progress.some((p) => p.startsWith('PROCESSING_FOR_DISTRIBUTION'))).toBe(true);
  });

  it('is idempotent: a version already releasing or live is not released again', async () => {
    asc.seed({ state: 'PROCESSING_FOR_DISTRIBUTION' });
    await store().publish('2.0.0', {});
    expect(asc.server.count('POST', /appStoreVersionReleaseRequests/)).toBe(0);
  });

  it('reads back a 409 on the release request: already released counts as done', async () => {
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    asc.server.failNext(/appStoreVersionReleaseRequests/, () => {
      asc.version().appVersionState = 'PROCESSING_FOR_DISTRIBUTION'; // a first request went through
      return appleError(409, 'ENTITY_ERROR.RELATIONSHIP.INVALID', 'The provided entity includes a relationship with an invalid value', 'already released');
    });
    await store().publish('2.0.0', {});
    expect(asc.version().appVersionState).toBe('READY_FOR_DISTRIBUTION');
  });

  it('refuses to release a version in the wrong state, naming it', async () => {
    asc.seed({ state: 'IN_REVIEW' });
    const err = await failure(store().publish('2.0.0', {}));
    expect(err.message).toContain('version 2.0.0 is IN_REVIEW, not PENDING_DEVELOPER_RELEASE');
    expect(asc.server.count('POST', /appStoreVersionReleaseRequests/)).toBe(0);
  });

  it('creates a phased release when asked, then pauses, resumes and completes it idempotently', async () => {
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    const s = store();
    await s.publish('2.0.0', { phased: true });
    expect(await s.rollout.read('2.0.0')).toMatchObject({ state: 'staged', fraction: 0.01, detail: 'ACTIVE (day 1)' });
    expect(await s.rollout.apply('2.0.0', { kind: 'halt' }, {})).toMatchObject({ state: 'halted' });
    // "The phased release already has this value": done already.
    expect(await s.rollout.apply('2.0.0', { kind: 'halt' }, {})).toMatchObject({ state: 'halted' });
    expect(await s.rollout.apply('2.0.0', { kind: 'resume' }, {})).toMatchObject({ state: 'staged' });
    expect(await s.rollout.apply('2.0.0', { kind: 'complete' }, {})).toMatchObject({ state: 'complete' });
    // "...in a final state": complete already.
    expect(await s.rollout.apply('2.0.0', { kind: 'complete' }, {})).toMatchObject({ state: 'complete' });
    expect((await failure(s.rollout.apply('2.0.0', { kind: 'fraction', fraction: 0.5 }, {}))).hint).toContain('pause, resume or complete');
  });
});

describe('App Store Connect: the pause budget of a phased release', () => {
  it('a pause says how many of its 30 days are used; past them Apple releases to everyone, and a resume then is done', async () => {
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    const s = store();
    await s.publish('2.0.0', { phased: true });
    asc.advanceDays(2);
    expect(await s.rollout.read('2.0.0')).toMatchObject({ state: 'staged', fraction: 0.05, detail: 'ACTIVE (day 3)' });
    await s.rollout.apply('2.0.0', { kind: 'halt' }, {});
    asc.advanceDays(12);
    expect(await s.rollout.read('2.0.0')).toMatchObject({ state: 'halted', detail: 'PAUSED (day 3, 12 of 30 pause days used)' });
    asc.advanceDays(18);
    expect(await s.rollout.read('2.0.0')).toMatchObject({ state: 'complete' });
    // "...in a final state": resuming a release Apple completed is already done.
    expect(await s.rollout.apply('2.0.0', { kind: 'resume' }, {})).toMatchObject({ state: 'complete' });
  });
});

describe('App Store Connect: tokens, rate limits and errors', () => {
  it('renews tokens before they expire, so a long wait never sends an expired one', async () => {
    asc.seed();
    const s = store({ tokenTtl: '2s' });
    await s.readRelease('2.0.0');
    await new Promise((r) => setTimeout(r, 1600));
    await s.readRelease('2.0.0');
    const exps = new Set(asc.tokens.map((t) => t.exp));
    expect(exps.size).toBe(2);
    expect(asc.tokens.every((t) => t.exp > t.at)).toBe(true);
  });

  it('retries once with a fresh token after a 401 (Apple sends transient ones)', async () => {
    asc.seed();
    asc.server.failNext(/appStoreVersions$/, appleError(401, 'NOT_AUTHORIZED', 'Authentication credentials are missing or invalid.', 'expired'));
    expect((await store().readRelease('2.0.0')).state).toBe('in-review');
  });

  it('a key Apple does not accept ends in a plain message', async () => {
    asc.seed();
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileSync(join(dir, 'Other.p8'), other);
    const err = await failure(store({ privateKey: { path: 'Other.p8' } }).readRelease('2.0.0'));
    expect(err.info.status).toBe(401);
    expect(err.hint).toContain('refused the API key');
    expect(err.message).not.toContain('eyJ'); // no token in the message
  });

  it('waits on 429 (X-Rate-Limit) and carries on', async () => {
    asc.seed();
    asc.server.failNext(/appStoreVersions$/, { ...appleError(429, 'RATE_LIMIT_EXCEEDED', 'The request rate limit has been reached.', 'We\'ve received too many requests for this API.'), headers: { 'retry-after': '0' } }, { times: 2 });
    expect((await store().readRelease('2.0.0')).state).toBe('in-review');
    expect(asc.server.calls.filter((c) => c.status === 429)).toHaveLength(2);
  });

  it('gives up on a rate limit that a whole window of waiting did not lift, saying so', async () => {
    asc.seed();
    asc.rateLimit.remaining = 0;
    asc.server.failNext(/appStoreVersions$/, { ...appleError(429, 'RATE_LIMIT_EXCEEDED', 'The request rate limit has been reached.', 'too many'), headers: { 'retry-after': '0' } }, { times: 50 });
    // Apple's window is a rolling hour; a short one keeps the test fast.
    const err = await failure(store({}, { RELEASE_ASC_RATE_WINDOW: '200ms' }).readRelease('2.0.0'));
    expect(err.hint).toContain("Apple's rate limit is used up (user-hour-lim:3500;user-hour-rem:0;)");
  });

  it('retries reads on 5xx; a release request answered 5xx is read back before it is sent again', async () => {
    asc.seed({ state: 'PENDING_DEVELOPER_RELEASE' });
    asc.server.failNext(/appStoreVersions$/, appleError(503, 'UNEXPECTED_ERROR', 'An unexpected error occurred.', 'try later'), { method: 'GET' });
    expect((await store().readRelease('2.0.0')).state).toBe('approved');
    asc.server.failNext(/appStoreVersionReleaseRequests/, appleError(500, 'UNEXPECTED_ERROR', 'An unexpected error occurred.', 'oops'));
    await store().publish('2.0.0', {});
    const order = asc.server.calls.filter((c) => c.method === 'POST' || /appStoreVersions$/.test(c.path)).map((c) => `${c.method} ${c.status}`);
    expect(order.slice(order.indexOf('POST 500'))).toEqual(expect.arrayContaining(['POST 500', 'GET 200', 'POST 201']));
    expect(order.indexOf('GET 200', order.indexOf('POST 500'))).toBeLessThan(order.indexOf('POST 201'));
    expect(asc.releaseRequestsProcessed).toBe(1);
  });

  it('an unknown bundle id is named', async () => {
    asc.seed();
    const err = await failure(new AppStoreConnectStore({ provider: 'app-store-connect', keyId: asc.keyId, issuerId: asc.issuerId, privateKey: { path: 'AuthKey.p8' }, apiBase: asc.server.url, tokenTtl: '15m', pollInterval: '1s', publishTimeout: '1m' }, { bundleId: 'com.example.nope' }, { baseDir: dir, env: {} }).readRelease('2.0.0'));
    expect(err.message).toContain('no app with bundle id com.example.nope');
  });

  it('doctor checks say what is missing or wrong, in plain words', async () => {
    asc.seed();
    expect(await store().check()).toEqual([{ ok: true, name: 'App Store Connect', detail: expect.stringContaining(`reaches app com.example.shop (id ${asc.app.id})`) }]);
    expect((await store({ privateKey: { env: 'ASC_KEY' } }).check())[0]).toMatchObject({ ok: false, detail: expect.stringContaining('env var ASC_KEY is not set') });
    expect((await store({ privateKey: { env: 'ASC_KEY' } }, { ASC_KEY: 'not a key' }).check())[0]).toMatchObject({ ok: false, detail: expect.stringContaining('could not sign a token') });
  });

  it('RELEASE_ASC_API_BASE overrides the endpoint', async () => {
    asc.seed();
    const s = store({ apiBase: 'http://127.0.0.1:9' }, { RELEASE_ASC_API_BASE: asc.server.url });
    expect((await s.readRelease('2.0.0')).state).toBe('in-review');
  });
});
