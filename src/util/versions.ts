/**
 * Reading versions that come from the live world (a config value, a store's version string or
 * release name). Loose on purpose, unlike `app.version`: we compare what others wrote, "v2.5.0"
 * included, and say so when a value is no version at all.
 */
import semver from './semver.js';

/** The semantic version a live value stands for, or null if it is none. */
export function liveVersionOf(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  return semver.valid(String(value).trim(), { loose: true });
}

/** The highest of some version strings (anything that is no version is skipped), or null. */
export function highestVersion(candidates: (string | null | undefined)[]): string | null {
  const versions = candidates.map((c) => liveVersionOf(c)).filter((v): v is string => v !== null);
  return versions.length ? semver.rsort(versions)[0]! : null;
}

/** The first version named in a text such as a Play release name, "142 (1.4.2)". */
export function versionIn(text: string | null | undefined): string | null {
  const match = /\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?/.exec(text ?? '');
  return match ? liveVersionOf(match[0]) : null;
}
