/** The Google Play adapter and the real @googleapis/androidpublisher client, against the local emulator. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GooglePlayConfig } from '../../src/playbook/release-config.js';
import { GooglePlayStore } from '../../src/providers/stores/google-play.js';
import { StoreError } from '../../src/providers/stores/store-error.js';
import { GooglePlayEmulator, googleError } from '../emulators/google-play.js';
import { playStore } from '../helpers/store-adapters.js';
import { testdir } from '../helpers/testdir.js';

let play: GooglePlayEmulator;
let dir: string;

beforeEach(async () => {
  play = new GooglePlayEmulator();
  await play.start();
  dir = testdir();
});

afterEach(() => play.stop());

const store = (overrides: Partial<GooglePlayConfig> = {}, opts: { versionCode?: number | null; env?: NodeJS.ProcessEnv } = {}) => playStore(play, dir, overrides, opts);

async function failure(promise: Promise<unknown>): Promise<StoreError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(StoreError);
  return err as StoreError;
}

describe('Google Play: reading the release', () => {
  it('maps the release lifecycle, by version code or by release name', async () => {
    play.seed();
    expect(await store().readRelease('2.0.0')).toMatchObject({ state: 'in-review', storeState: 'RELEASE_LIFECYCLE_STATE_IN_REVIEW', manualPublishing: 'unverifiable' });
    play.approve();
    expect(await store({}, { versionCode: null }).readRelease('2.0.0')).toMatchObject({ state: 'approved', storeState: 'RELEASE_LIFECYCLE_STATE_APPROVED_NOT_PUBLISHED' });
    play.release().lifecycle = 'RELEASE_LIFECYCLE_STATE_NOT_APPROVED';
    expect(await store().readRelease('2.0.0')).toMatchObject({ state: 'rejected', rejectionReason: expect.stringContaining('NOT_APPROVED') });
    expect(await store({}, { versionCode: 999 }).readRelease('2.0.0')).toMatchObject({ state: 'not-submitted', storeState: 'NO_RELEASE_ON_PRODUCTION' });
  });

  it('finds the build on the internal track, also when the account calls it qa', async () => {
    play.seed();
    expect(await store().readInternalTesting('2.0.0')).toMatchObject({ ready: true, detail: expect.stringContaining('the internal track holds 2.0.0 (version code 200') });
    const qa = new GooglePlayEmulator();
    qa.internalTrackName = 'qa';
    qa.seed();
    delete qa.tracks.internal;
    await qa.start();
    try {
      const s = new GooglePlayStore(
        { provider: 'google-play', credentials: { accessToken: { env: 'T' } }, track: 'production', internalTrack: 'internal', apiRoot: `${qa.server.url}/`, pollInterval: '20ms', publishTimeout: '5s' },
        { package: qa.packageName, versionCode: 200 },
        { baseDir: dir, env: { T: qa.accessToken } },
      );
      expect((await s.readInternalTesting('2.0.0')).detail).toContain('the qa track holds 2.0.0');
    } finally {
      await qa.stop();
    }
  });
});

describe('Google Play: publishing under managed publishing', () => {
  it('waits for "Publish changes" and sees PUBLISHED', async () => {
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_APPROVED_NOT_PUBLISHED' });
    const progress: string[] = [];
    setTimeout(() => play.pressPublish(), 200);
    await store().publish('2.0.0', { progress: (m) => progress.push(m) });
    expect(progress[0]).toContain('waiting for "Publish changes" in the Play Console');
    expect((await store().readRelease('2.0.0')).state).toBe('live');
  });

  it('stops waiting when the release is no longer approved', async () => {
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_APPROVED_NOT_PUBLISHED' });
    setTimeout(() => (play.release().lifecycle = 'RELEASE_LIFECYCLE_STATE_NOT_APPROVED'), 100);
    const err = await failure(store().publish('2.0.0', {}));
    expect(err.message).toContain('RELEASE_LIFECYCLE_STATE_NOT_APPROVED');
  });
});

describe('Google Play: staged rollout through an edit', () => {
  it('halts, resumes, sets a fraction and completes — each once, each idempotent', async () => {
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_PUBLISHED', fraction: 0.2 });
    const s = store();
    expect(await s.rollout.read('2.0.0')).toMatchObject({ state: 'staged', fraction: 0.2, detail: 'inProgress 20%' });
    expect(await s.rollout.apply('2.0.0', { kind: 'halt' }, {})).toMatchObject({ state: 'halted', fraction: 0.2 });
    const commits = () => play.server.count('POST', /:commit$/);
    expect(commits()).toBe(1);
    expect(await s.rollout.apply('2.0.0', { kind: 'halt' }, {})).toMatchObject({ state: 'halted' });
    expect(commits()).toBe(1); // nothing to do: no commit
    expect(await s.rollout.apply('2.0.0', { kind: 'resume' }, {})).toMatchObject({ state: 'staged', fraction: 0.2 });
    expect(await s.rollout.apply('2.0.0', { kind: 'fraction', fraction: 0.5 }, {})).toMatchObject({ detail: 'inProgress 50%' });
    expect(await s.rollout.apply('2.0.0', { kind: 'complete' }, {})).toMatchObject({ state: 'complete' });
    expect(play.release().userFraction).toBeUndefined();
    // Fully released cannot be staged again: already at 100 %.
    expect(await s.rollout.apply('2.0.0', { kind: 'fraction', fraction: 0.3 }, {})).toMatchObject({ state: 'complete' });
    expect(commits()).toBe(4);
    // The previous release is kept in every update (its version codes must be retained).
    expect(play.tracks.production!.map((r) => r.versionCodes[0])).toEqual(['142', '200']);
  });

  it('halts a 100% release (the previous one is served again), but not a track\'s first release', async () => {
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_PUBLISHED' });
    expect(await store().rollout.apply('2.0.0', { kind: 'halt' }, {})).toMatchObject({ state: 'halted' });
    expect(play.release().status).toBe('halted');

    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_PUBLISHED', firstOnTrack: true });
    const err = (await store().rollout.apply('2.0.0', { kind: 'halt' }, {}).then(() => undefined, (e: unknown) => e)) as { message: string; hint?: string };
    expect(err.message).toContain('The first release on a track cannot be halted.');
    expect(err.hint).toContain('flag off');
    expect(play.release().status).toBe('completed');
  });

  it('refuses a fraction of 1 or more before calling Play', async () => {
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_PUBLISHED', fraction: 0.2 });
    const err = await failure(store().rollout.apply('2.0.0', { kind: 'fraction', fraction: 1 }, {}));
    expect(err.message).toContain('User fraction must be lower than one.');
    expect(play.server.count('POST', /edits$/)).toBe(0);
  });

  it('commits with changesNotSentForReview only when Play asks for it, and without it when Play forbids it', async () => {
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_PUBLISHED', fraction: 0.2 });
    play.commitFlag = 'required';
    await store().rollout.apply('2.0.0', { kind: 'halt' }, {});
    expect(play.release().status).toBe('halted');
    expect(play.server.calls.filter((c) => c.path.endsWith(':commit')).map((c) => c.query)).toEqual(['', '?changesNotSentForReview=true']);

    play.commitFlag = 'forbidden';
    await store().rollout.apply('2.0.0', { kind: 'resume' }, {});
    expect(play.release().status).toBe('inProgress');
  });

  it('redoes the whole edit when Play invalidated it (another commit, a Console change)', async () => {
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_PUBLISHED', fraction: 0.2 });
    play.server.failNext(/:commit$/, () => {
      play.invalidateEdits();
      return googleError(400, 'INVALID_ARGUMENT', 'This Edit has been deleted.');
    });
    await store().rollout.apply('2.0.0', { kind: 'halt' }, {});
    expect(play.release().status).toBe('halted');
    expect(play.server.count('POST', /edits$/)).toBe(2);
  });

  it('halting with nothing to halt is done when the release is already halted', async () => {
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_PUBLISHED', fraction: 0.2 });
    play.server.failNext(/tracks\/production$/, () => {
      play.release().status = 'halted'; // a colleague halted it a moment ago
      return googleError(400, 'INVALID_ARGUMENT', 'Cannot halt release, no matching in progress release found.', 'releaseToHaltNotFound');
    }, { method: 'PUT' });
    expect(await store().rollout.apply('2.0.0', { kind: 'halt' }, {})).toMatchObject({ state: 'halted' });
  });

  it('a dry run validates the edit and commits nothing', async () => {
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_PUBLISHED', fraction: 0.2 });
    await store().rollout.apply('2.0.0', { kind: 'halt' }, { validateOnly: true });
    expect(play.server.count('POST', /:validate$/)).toBe(1);
    expect(play.server.count('POST', /:commit$/)).toBe(0);
    expect(play.server.count('DELETE', /edits\/\d+$/)).toBe(1);
    expect(play.release().status).toBe('inProgress');
  });
});

describe('Google Play: credentials and errors', () => {
  it('a service-account key is exchanged for a token (RS256 assertion checked by the emulator)', async () => {
    play.seed();
    writeFileSync(join(dir, 'play-key.json'), JSON.stringify(play.serviceAccount));
    const s = store({ credentials: { serviceAccountKey: { path: 'play-key.json' } } }, { env: { RELEASE_PLAY_TOKEN_URL: `${play.server.url}/token` } });
    expect((await s.readRelease('2.0.0')).state).toBe('in-review');
    expect(play.server.count('POST', /^\/token$/)).toBe(1);
    expect(await s.check()).toEqual([{ ok: true, name: 'Google Play', detail: expect.stringContaining('the service-account key reaches com.example.shop') }]);
  });

  it('doctor names a missing or malformed credential', async () => {
    expect((await store({ credentials: { accessToken: { env: 'NOPE' } } }).check())[0]!.detail).toContain('env var NOPE is not set');
    writeFileSync(join(dir, 'bad.json'), '{"type": "authorized_user"}');
    expect((await store({ credentials: { serviceAccountKey: { path: 'bad.json' } } }).check())[0]!.detail).toContain('not a service-account key');
    expect((await store({ credentials: { serviceAccountKey: { path: 'missing.json' } } }).check())[0]!.detail).toMatch(/file .*missing\.json does not exist/);
  });

  it('an unknown package, a refused token and a used-up quota each get their own next step', async () => {
    play.seed();
    const unknown = new GooglePlayStore(
      { provider: 'google-play', credentials: { accessToken: { env: 'T' } }, track: 'production', internalTrack: 'internal', apiRoot: `${play.server.url}/`, pollInterval: '1s', publishTimeout: '1m' },
      { package: 'com.example.nope' },
      { baseDir: dir, env: { T: play.accessToken } },
    );
    const notFound = await failure(unknown.readRelease('2.0.0'));
    expect(notFound.message).toContain('Package not found: com.example.nope.');
    expect(notFound.hint).toContain('check app.android.package');

    const refused = await failure(store({}, { env: { PLAY_TOKEN: 'expired-token' } }).readRelease('2.0.0'));
    expect(refused.info.status).toBe(401);
    expect(refused.hint).toContain('renew');

    play.server.failNext(/releases$/, googleError(403, 'PERMISSION_DENIED', 'Daily save quota exceeded.', 'publishingDailySaveQuotaExceeded'), { times: 5 });
    const quota = await failure(store().readRelease('2.0.0'));
    expect(quota.hint).toContain('quota');
    expect(play.server.calls.filter((c) => c.status === 403)).toHaveLength(1); // not retried
  });

  it('retries 429 and 5xx on reads', async () => {
    play.seed();
    play.server.failNext(/releases$/, { ...googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric.', 'rateLimitExceeded'), headers: { 'retry-after': '0' } });
    play.server.failNext(/releases$/, { ...googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'backendError'), headers: { 'retry-after': '0' } });
    expect((await store().readRelease('2.0.0')).state).toBe('in-review');
  });

  it('RELEASE_PLAY_API_ROOT overrides the endpoint', async () => {
    play.seed();
    const s = store({ apiRoot: 'http://127.0.0.1:9/' }, { env: { RELEASE_PLAY_API_ROOT: `${play.server.url}/` } });
    expect((await s.readRelease('2.0.0')).state).toBe('in-review');
  });
});
