/**
 * Where `release policy` learns when each version reached users: Google Play reports no release
 * dates, so the config's `policy.history`, and the tool's own journals (every run whose
 * `store/publish` step succeeded, not rehearsals). Reading App Store Connect's version history is
 * not built yet. Rehearsals read `sandbox.releaseHistory`, or a simulated weekly cadence up to
 * the live version.
 */
import semver from 'semver';
import type { RunStore } from '../engine/runs.js';
import { platformsOf, type ReleaseConfig, type ReleasedEntry } from '../playbook/release-config.js';
import type { Platform } from '../providers/stores/port.js';
import type { ReleasedVersion } from './policy.js';

const DAY = 86_400_000;

function expand(entries: ReleasedEntry[], platforms: Platform[], source: string): ReleasedVersion[] {
  return entries.flatMap((e) =>
    (e.platform === 'both' ? platforms : platforms.filter((p) => p === e.platform)).map((platform) => ({ platform, version: e.version, releasedAt: new Date(e.releasedAt).toISOString(), source })),
  );
}

export function configHistory(config: ReleaseConfig): ReleasedVersion[] {
  return expand(config.policy.history, platformsOf(config), 'release.config.yaml policy.history');
}

/**
 * Each real publish the tool journaled: the run's version, on the platforms it went live on, when
 * the step ended. A store the run only simulated (its port label) published nothing.
 */
export async function journalHistory(store: RunStore): Promise<ReleasedVersion[]> {
  return (await store.list()).flatMap((run) => {
    if (run.dryRun) return [];
    const version = (run.release.config as { app?: { version?: string } } | undefined)?.app?.version ?? '';
    const ports = (run.release.ports ?? {}) as Record<string, string>;
    if (!semver.valid(version)) return [];
    return run.steps
      .filter((s) => s.uses === 'store/publish' && s.status === 'succeeded' && s.endedAt)
      .flatMap((s) => ((s.output?.live as Platform[] | undefined) ?? []).filter((p) => ports[`${p} store`] !== 'simulated').map((platform) => ({ platform, version, releasedAt: s.endedAt!, source: `run ${run.runId}` })));
  });
}

/** `sandbox.releaseHistory`, or 20 weekly patch releases, the newest (the live version) 3 days ago. */
export function sandboxHistory(config: ReleaseConfig, now: Date): ReleasedVersion[] {
  const platforms = platformsOf(config);
  if (config.sandbox.releaseHistory) return expand(config.sandbox.releaseHistory, platforms, 'sandbox.releaseHistory');
  let version = config.sandbox.liveVersion ?? '1.4.2';
  const out: ReleasedVersion[] = [];
  for (let week = 0; week < 20 && version; week++) {
    const releasedAt = new Date(now.getTime() - (3 + 7 * week) * DAY).toISOString();
    for (const platform of platforms) out.push({ platform, version, releasedAt, source: 'sandbox (a simulated weekly cadence)' });
    version = previousPatch(version);
  }
  return out;
}

/** Up to fifteen patch releases per minor: the example's 13-week floor (1.3.5) then lies above its minimum_version 1.3.0. */
function previousPatch(v: string): string {
  const p = semver.parse(v)!;
  if (p.patch > 0) return `${p.major}.${p.minor}.${p.patch - 1}`;
  if (p.minor > 0) return `${p.major}.${p.minor - 1}.14`;
  return p.major > 0 ? `${p.major - 1}.9.14` : '';
}
