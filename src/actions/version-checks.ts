/**
 * The one comparison of the version being shipped with the live world. A flip once lowered a live
 * minimum_version from 2.5.0 to 2.0.0 without a word, letting back apps that had been walled off.
 * The rules:
 *   - a live minimum_version or latest_version goes down only with --allow-lower-version;
 *   - minimum_version never ends above latest_version (apps sent to update past the latest);
 *   - the new version is above the version each store has live.
 * Used by the flip's first step (store/verify-manual-publishing), by config/raise-versions just
 * before its write, and by `release doctor`; `release plan` shows the same through the steps.
 * What it finds is invalid input (exit 2), not a failure: nothing has been changed yet.
 */
import semver from '../util/semver.js';
import { currentValue } from '../providers/config/compare-and-set.js';
import type { JsonObject, JsonValue } from '../util/json-path.js';
import { liveVersionOf } from '../util/versions.js';
import type { ActionEnv, ReleaseFacts } from './env.js';
import { storeFor } from './stores.js';

export interface VersionFindings {
  /** Each names the key or store, the live number and the new one. */
  problems: string[];
  notes: string[];
  /** What was compared, e.g. "ios.minimum_version 1.3.0", for doctor's green line. */
  compared: string[];
}

/** The values the whole flip leaves behind: minimum_version and latest_version at the new version. */
export function flipResult(release: ReleaseFacts): Record<string, JsonValue> {
  return Object.fromEntries(release.platforms.flatMap((p) => [release.keys[p].minimum, release.keys[p].latest].map((path) => [path, release.version])));
}

/** `live` is the config document now; `next` the values a write (or the whole flip) puts in it. */
export function configFindings(live: JsonObject, next: Record<string, JsonValue>, release: ReleaseFacts): VersionFindings {
  const found: VersionFindings = { problems: [], notes: [], compared: [] };
  const lowered: { path: string; was: string; will: string }[] = [];
  for (const platform of release.platforms) {
    const { minimum, latest } = release.keys[platform];
    const after: Record<string, string | null> = {};
    for (const path of [minimum, latest]) {
      const before = currentValue(live, path);
      const was = liveVersionOf(before);
      const will = liveVersionOf(path in next ? next[path] : before);
      after[path] = will;
      if (before === null) continue;
      found.compared.push(`${path} ${JSON.stringify(before).replace(/^"|"$/g, '')}`);
      if (was === null) {
        found.notes.push(`${path} holds ${JSON.stringify(before)}, which is no version: not compared`);
      } else if (will !== null && semver.lt(will, was)) {
        if (release.allowLowerVersion) found.notes.push(`${path} goes down from ${was} to ${will} (allowed by --allow-lower-version)`);
        else lowered.push({ path, was, will });
      }
    }
    const [min, top] = [after[minimum], after[latest]];
    if (min && top && semver.gt(min, top)) {
      found.problems.push(`${minimum} would be ${min}, above ${latest} ${top}: apps would be sent to update past the latest version`);
    }
  }
  if (lowered.length) {
    // One problem for all keys, so the advice is given once.
    const highest = semver.rsort(lowered.map((l) => l.was))[0];
    found.problems.unshift(
      `shipping ${release.version} would lower live versions (${lowered.map((l) => `${l.path} ${l.was} -> ${l.will}`).join(', ')}): ship a version above ${highest} (app.version), or pass --allow-lower-version if lowering is meant`,
    );
  }
  return found;
}

/** `live`: per store, the version it has live (null: none; undefined: the store cannot say). */
export function storeFindings(live: { store: string; version: string | null | undefined }[], release: ReleaseFacts): VersionFindings {
  const found: VersionFindings = { problems: [], notes: [], compared: [] };
  for (const { store, version } of live) {
    if (version === undefined) found.notes.push(`${store}: its live version cannot be read, so it was not compared`);
    else if (version === null) found.notes.push(`${store}: no version is live yet`);
    else {
      found.compared.push(`${store} ${version}`);
      if (!semver.gt(release.version, version)) found.problems.push(`${store}: ${version} is live; the new version ${release.version} must be above it`);
    }
  }
  return found;
}

/** Reads the live config and each store's live version (read-only) and compares the release with them. */
export async function checkLiveVersions(env: ActionEnv, signal: AbortSignal): Promise<VersionFindings> {
  const [snap, stores] = await Promise.all([
    env.ports.config.read(signal),
    Promise.all(
      env.release.platforms.map(async (p) => {
        const store = storeFor(env, p);
        return { store: store.storeName, version: store.liveVersion ? await store.liveVersion(signal) : undefined };
      }),
    ),
  ]);
  const config = configFindings(snap.doc, flipResult(env.release), env.release);
  const live = storeFindings(stores, env.release);
  return { problems: [...config.problems, ...live.problems], notes: [...config.notes, ...live.notes], compared: [...config.compared, ...live.compared] };
}
