/**
 * Play App Recovery through the Google Play adapter and the real @googleapis/androidpublisher
 * client (its `apprecovery` resource), against the local emulator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GooglePlayStore } from '../../src/providers/stores/google-play.js';
import { StoreError } from '../../src/providers/stores/store-error.js';
import { GooglePlayEmulator, googleError } from '../emulators/google-play.js';
import { testdir } from '../helpers/testdir.js';

let play: GooglePlayEmulator;

beforeEach(async () => {
  play = new GooglePlayEmulator();
  await play.start();
});

afterEach(() => play.stop());

function recovery() {
  const store = new GooglePlayStore(
    { provider: 'google-play', credentials: { accessToken: { env: 'PLAY_TOKEN' } }, track: 'production', internalTrack: 'internal', apiRoot: `${play.server.url}/`, pollInterval: '20ms', publishTimeout: '5s' },
    { package: play.packageName, versionCode: 200 },
    { baseDir: testdir(), env: { PLAY_TOKEN: play.accessToken } },
  );
  return store.appRecovery;
}

const range = { start: 140, end: 142 };
const unavailable = () => ({ ...googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'backendError'), headers: { 'retry-after': '0' } });

describe('Google Play App Recovery', () => {
  it('creates a draft targeting a version-code range, deploys it, cancels it, and lists it by any code in the range', async () => {
    const rec = recovery();
    const draft = await rec.createDraft(range, {});
    expect(draft).toMatchObject({ state: 'draft', storeState: 'RECOVERY_STATUS_DRAFT', versions: range });
    expect(play.recoveries.get(draft.id)!.targeting).toEqual({ versionRange: { versionCodeStart: '140', versionCodeEnd: '142' } });

    await rec.deploy(draft.id, range, {});
    expect(await rec.list(141)).toEqual([expect.objectContaining({ id: draft.id, state: 'active', deployedAt: expect.any(String) })]);
    await rec.cancel(draft.id, range, {});
    expect(play.recoveries.get(draft.id)!.status).toBe('RECOVERY_STATUS_CANCELED');
    expect(await rec.list(143)).toEqual([]);
  });

  it('deploy and cancel are idempotent: an action already there is not sent again', async () => {
    const rec = recovery();
    const draft = await rec.createDraft(range, {});
    await rec.deploy(draft.id, range, {});
    await rec.deploy(draft.id, range, {});
    await rec.cancel(draft.id, range, {});
    await rec.cancel(draft.id, range, {});
    const posts = play.server.calls.filter((c) => c.method === 'POST' && /:(deploy|cancel)$/.test(c.path));
    expect(posts.map((c) => c.path.split(':').pop())).toEqual(['deploy', 'cancel']);
  });

  it('a create whose answer is lost is settled by listing, never sent twice', async () => {
    const rec = recovery();
    play.server.failNext(/appRecoveries$/, unavailable(), { method: 'POST', after: true });
    const draft = await rec.createDraft(range, {});
    expect(draft.state).toBe('draft');
    expect(play.recoveries.size).toBe(1);
  });

  it('an unknown id is refused with the way to find the right one', async () => {
    const err = await recovery().deploy('999', range, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).message).toContain('no App Recovery action 999 targets version code 140');
    expect((err as StoreError).hint).toContain('release app-recovery list');
  });
});
