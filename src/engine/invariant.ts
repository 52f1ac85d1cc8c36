/**
 * The safety invariant (DESIGN §3.8): once the breaking backend is live, every platform's old apps
 * must meet a wall — maintenance on, or a minimum_version at least the new app version — never
 * the new API. Checked on every config write and in every dry run.
 */
import semver from '../util/semver.js';
import { getPath, type JsonObject } from '../util/json-path.js';

export interface WallKeys {
  maintenance: string;
  platforms: Record<string, { minimum: string; latest: string }>;
}

export function wallViolations(doc: JsonObject, keys: WallKeys, newVersion: string): string[] {
  if (getPath(doc, keys.maintenance) === true) return [];
  const problems: string[] = [];
  for (const [platform, paths] of Object.entries(keys.platforms)) {
    const minimum = getPath(doc, paths.minimum);
    const parsed = typeof minimum === 'string' ? semver.coerce(minimum) : null;
    if (!parsed || semver.lt(parsed, newVersion)) {
      problems.push(
        `${platform}: ${keys.maintenance} is off and ${paths.minimum} is ${JSON.stringify(minimum ?? null)}, below ${newVersion}`,
      );
    }
  }
  return problems;
}
