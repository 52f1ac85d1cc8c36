/** The policy arithmetic of seed 001 §2-§3, on histories with a known cadence. */
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { compatibilityWindowMs, evaluatePolicy, type ReleasedVersion } from '../../src/policy/policy.js';

const DAY = 86_400_000;
const NOW = new Date('2026-12-01T12:00:00Z');
const SEED = { forcedUpgradeWindowMs: 90 * DAY, maxReviewLatencyMs: 2 * DAY, adoptionTailMs: 7 * DAY };

/** `count` versions on both platforms, one every `cadenceDays`, the newest (1.30.0) 2 days ago, then 1.29.0... */
function history(cadenceDays: number, count = 30): ReleasedVersion[] {
  return Array.from({ length: count }, (_, i) => {
    const version = `1.${count - i}.0`;
    const releasedAt = new Date(NOW.getTime() - (2 + i * cadenceDays) * DAY).toISOString();
    return (['ios', 'android'] as const).map((platform) => ({ platform, version, releasedAt, source: 'test' }));
  }).flat();
}

const evaluate = (h: ReleasedVersion[], live: Record<string, string | null> = {}) =>
  evaluatePolicy({ history: h, settings: SEED, platforms: ['ios', 'android'], now: NOW, live, replacedBy: '1.30.0' });

describe('the forced-upgrade policy', () => {
  it('the compatibility window is the forced-upgrade window + max review latency + the adoption tail: 90d + 48h + 7d = 99 days', () => {
    expect(compatibilityWindowMs(SEED) / DAY).toBe(99);
  });

  it('a weekly cadence and a 90-day window: 13 versions in the surface on each platform (001 §2)', () => {
    const outcome = evaluate(history(7));
    for (const p of outcome.platforms) expect(p.surface).toHaveLength(13);
    // The floor is the oldest of them, released 86 days ago; the one 93 days ago is outside.
    const oldest = outcome.platforms[0]!.surface[0]!;
    expect((NOW.getTime() - Date.parse(oldest.releasedAt)) / DAY).toBe(86);
    expect(outcome.minimumVersion).toBe(oldest.version);
    expect(outcome.platforms[0]!.surface.map((r) => r.version)).toEqual([...outcome.platforms[0]!.surface.map((r) => r.version)].sort(semver.compare));
  });

  it('a monthly cadence: 3 versions', () => {
    expect(evaluate(history(30)).platforms.map((p) => p.surface.length)).toEqual([3, 3]);
  });

  it('the floor never goes above a version live on a store', () => {
    const outcome = evaluate(history(7), { ios: '1.30.0', android: '1.10.0' });
    expect(outcome.minimumVersion).toBe('1.10.0');
    expect(outcome.capped).toContain('1.10.0');
    expect(evaluate(history(7), { ios: '1.30.0', android: '1.30.0' }).capped).toBeUndefined();
  });

  it('an old API may go once the first version without it is older than the compatibility window', () => {
    const released = evaluate(history(7)).removal;
    expect(released).toMatchObject({ version: '1.30.0', assumed: false });
    expect((Date.parse(released.earliest) - NOW.getTime()) / DAY).toBe(97);
    const unreleased = evaluatePolicy({ history: [], settings: SEED, platforms: ['ios'], now: NOW, live: {}, replacedBy: '4.0.0' });
    expect(unreleased.removal).toMatchObject({ assumed: true, earliest: new Date(NOW.getTime() + 99 * DAY).toISOString() });
    expect(unreleased.minimumVersion).toBeUndefined();
  });
});
