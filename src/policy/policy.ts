/**
 * The forced-upgrade policy as arithmetic (seed 001 §2-§3), pure: a release history and three
 * durations in, the numbers out. No I/O, so every figure `release policy` prints is unit-tested.
 * - backward-compatibility window = forced-upgrade window + max store review latency + adoption tail
 * - forced-upgrade surface = the client versions released inside the forced-upgrade window
 * - floor (minimum_version) = the oldest version inside the window: older clients must upgrade
 * - an old API may go once the first version without it is older than the compatibility window
 */
import semver from '../util/semver.js';
import type { Platform } from '../providers/stores/port.js';

export interface ReleasedVersion {
  platform: Platform;
  version: string;
  /** ISO-8601: when users could first get it. */
  releasedAt: string;
  /** Where the date comes from (the config's history, a past run's journal, the sandbox). */
  source: string;
}

export interface PolicySettings {
  forcedUpgradeWindowMs: number;
  maxReviewLatencyMs: number;
  adoptionTailMs: number;
}

export interface PlatformPolicy {
  platform: Platform;
  /** Inside the window, oldest first: the versions the server must still serve. */
  surface: ReleasedVersion[];
  /** The oldest version inside the window; undefined when the history has none. */
  floor?: string;
}

export interface PolicyOutcome {
  now: string;
  windowStart: string;
  compatibilityWindowMs: number;
  platforms: PlatformPolicy[];
  /** One minimum_version for every platform: the lowest floor, capped at the lowest live version. */
  minimumVersion?: string;
  /** Why it is lower than a platform's floor (a store has less live), if it is. */
  capped?: string;
  /** The first version that no longer needs the old API, its release date (or now) and the removal date. */
  removal: { version: string; from: string; assumed: boolean; earliest: string };
}

export function compatibilityWindowMs(p: PolicySettings): number {
  return p.forcedUpgradeWindowMs + p.maxReviewLatencyMs + p.adoptionTailMs;
}

/** The versions of one platform released inside [now - window, now], oldest first, one entry per version. */
export function surfaceOf(history: ReleasedVersion[], platform: Platform, windowMs: number, now: Date): ReleasedVersion[] {
  const start = now.getTime() - windowMs;
  const inside = history.filter((r) => r.platform === platform && Date.parse(r.releasedAt) >= start && Date.parse(r.releasedAt) <= now.getTime());
  const first = new Map<string, ReleasedVersion>();
  for (const r of inside.sort((a, b) => Date.parse(a.releasedAt) - Date.parse(b.releasedAt))) if (!first.has(r.version)) first.set(r.version, r);
  return [...first.values()].sort((a, b) => semver.compare(a.version, b.version));
}

export function evaluatePolicy(input: {
  history: ReleasedVersion[];
  settings: PolicySettings;
  platforms: Platform[];
  now: Date;
  /** The version each store has live now (null: none, undefined: cannot be read). */
  live: Partial<Record<Platform, string | null>>;
  /** The first version that no longer calls the old API. */
  replacedBy: string;
}): PolicyOutcome {
  const { history, settings, now } = input;
  const windowMs = settings.forcedUpgradeWindowMs;
  const platforms = input.platforms.map((platform): PlatformPolicy => {
    const surface = surfaceOf(history, platform, windowMs, now);
    return { platform, surface, ...(surface[0] ? { floor: surface[0].version } : {}) };
  });
  const floors = platforms.flatMap((p) => (p.floor ? [p.floor] : []));
  const lowestFloor = floors.sort(semver.compare)[0];
  const lives = Object.values(input.live).filter((v): v is string => typeof v === 'string');
  const lowestLive = lives.sort(semver.compare)[0];
  let minimumVersion = lowestFloor;
  let capped: string | undefined;
  if (lowestFloor && lowestLive && semver.gt(lowestFloor, lowestLive)) {
    minimumVersion = lowestLive;
    capped = `a store has only ${lowestLive} live: the floor never points at a version users cannot get`;
  }
  const released = history.filter((r) => r.version === input.replacedBy).map((r) => Date.parse(r.releasedAt));
  const from = released.length ? Math.min(...released) : now.getTime();
  const compat = compatibilityWindowMs(settings);
  return {
    now: now.toISOString(),
    windowStart: new Date(now.getTime() - windowMs).toISOString(),
    compatibilityWindowMs: compat,
    platforms,
    ...(minimumVersion ? { minimumVersion } : {}),
    ...(capped ? { capped } : {}),
    removal: { version: input.replacedBy, from: new Date(from).toISOString(), assumed: !released.length, earliest: new Date(from + compat).toISOString() },
  };
}
