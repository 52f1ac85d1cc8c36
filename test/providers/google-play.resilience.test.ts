/**
 * The Google Play adapter and the real @googleapis/androidpublisher client against the emulator,
 * when Play misbehaves: a commit whose answer is lost, a revoked token, a 429, and Ctrl-C during
 * a wait. (Issue 8, items 9, 10 and 13.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GooglePlayConfig } from '../../src/playbook/release-config.js';
import { GooglePlayEmulator, googleError } from '../emulators/google-play.js';
import { expectEndsOnAbort } from '../helpers/abort.js';
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

const store = (overrides: Partial<GooglePlayConfig> = {}, env: NodeJS.ProcessEnv = {}) => playStore(play, dir, overrides, { env });

const unavailable = () => ({ ...googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'backendError'), headers: { 'retry-after': '0' } });
const rateLimited = (retryAfter: string) => ({ ...googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric.', 'rateLimitExceeded'), headers: { 'retry-after': retryAfter } });

describe('a commit whose outcome is unknown is settled by reading the track back', () => {
  it('a 503 Play did not act on: the track still reads in progress, so the edit is redone and committed once', async () => {
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_PUBLISHED', fraction: 0.2 });
    play.server.failNext(/:commit$/, unavailable());
    expect(await store().rollout.apply('2.0.0', { kind: 'halt' }, {})).toMatchObject({ state: 'halted', fraction: 0.2 });
    expect(play.release().status).toBe('halted');
    expect(play.commitsProcessed).toBe(1);
    // The read-back opened its own edit between the failed commit and the next one.
    const commits = play.server.calls.filter((c) => c.path.endsWith(':commit'));
    const reads = play.server.calls.filter((c) => c.method === 'GET' && /tracks\/production$/.test(c.path));
    expect(reads.some((r) => r.at >= commits[0]!.at && r.at <= commits.at(-1)!.at)).toBe(true);
  });

  it('a 503 after Play committed (the answer was lost): the read-back finds the track updated; no second commit', async () => {
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_PUBLISHED', fraction: 0.2 });
    play.server.failNext(/:commit$/, unavailable(), { after: true });
    expect(await store().rollout.apply('2.0.0', { kind: 'fraction', fraction: 0.5 }, {})).toMatchObject({ state: 'staged', fraction: 0.5 });
    expect(play.server.count('POST', /:commit$/)).toBe(1);
    expect(play.commitsProcessed).toBe(1);
    expect(play.release().userFraction).toBe(0.5);
  });
});

describe('a 401 gets a fresh token; a 429 waits as asked', () => {
  it('a revoked service-account token: a new one from the token endpoint, then the call succeeds', async () => {
    play.seed();
    writeFileSync(join(dir, 'play-key.json'), JSON.stringify(play.serviceAccount));
    const s = store({ credentials: { serviceAccountKey: { path: 'play-key.json' } } }, { RELEASE_PLAY_TOKEN_URL: `${play.server.url}/token` });
    expect((await s.readRelease('2.0.0')).state).toBe('in-review');
    play.revokeTokens();
    expect((await s.readRelease('2.0.0')).state).toBe('in-review');
    expect(play.server.count('POST', /^\/token$/)).toBe(2);
    expect(play.server.calls.filter((c) => c.path.endsWith('/releases')).map((c) => c.status)).toEqual([200, 401, 200]);
  });

  it('a 429 with Retry-After: waits as asked, says when the next call goes, then carries on', async () => {
    play.seed();
    play.server.failNext(/releases$/, rateLimited('1'));
    const progress: string[] = [];
    const started = Date.now();
    expect((await store().readRelease('2.0.0', undefined, (m) => progress.push(m))).state).toBe('in-review');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(progress).toContainEqual(expect.stringMatching(/Google Play rate limit hit \(429\).* next Google Play call at \d\d:\d\d:\d\d/));
  });
});

describe('every wait ends at once on Ctrl-C', () => {
  it('during a Retry-After wait', { timeout: 10_000 }, async () => {
    play.seed();
    play.server.failNext(/releases$/, rateLimited('30'));
    await expectEndsOnAbort((signal) => store().readRelease('2.0.0', signal));
  });

  it('during the backoff after a 5xx', { timeout: 10_000 }, async () => {
    play.seed();
    play.server.failNext(/releases$/, { ...unavailable(), headers: { 'retry-after': '30' } });
    await expectEndsOnAbort((signal) => store().readRelease('2.0.0', signal));
  });
});
