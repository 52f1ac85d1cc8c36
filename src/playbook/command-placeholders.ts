/**
 * What a backend command (or webhook body) is told, with ONE meaning in deploy and rollback:
 * `{fromVersion}` is the version being replaced, `{toVersion}` the version being made live
 * (`{version}` stays as another name for it), `{runId}` the run. A rollback goes from the new
 * version back to the old: from 2.0.0 to 1.4.2. The same values are set as RELEASE_FROM_VERSION,
 * RELEASE_TO_VERSION, RELEASE_VERSION and RELEASE_RUN_ID.
 *
 * `{previousVersion}` (and RELEASE_PREVIOUS_VERSION) meant "the version being replaced", which in
 * a rollback is the NEW one: a user wrote `rollback.sh {previousVersion}` and the rollback
 * redeployed 2.0.0. The name is refused when the config is read, saying what to write instead.
 */
import type { JsonValue } from '../util/json-path.js';

export interface PlaceholderValues {
  fromVersion?: string | null;
  toVersion?: string;
  runId?: string;
}

const FILLED = /\{(fromVersion|toVersion|version|runId)\}/g;
const RETIRED = '{previousVersion}';

export const RETIRED_PLACEHOLDER_MESSAGE =
  '{previousVersion} is no longer filled in: write {fromVersion} (the version being replaced) or {toVersion} (the version being made live); in a rollback {fromVersion} is the new version and {toVersion} the old one';

export function fillPlaceholders(text: string, values: PlaceholderValues): string {
  return text.replace(FILLED, (_, name: string) => {
    const value = name === 'fromVersion' ? values.fromVersion : name === 'runId' ? values.runId : values.toVersion;
    return value ?? '';
  });
}

/** Fills every string of a JSON value (a webhook body). */
export function fillJson(value: JsonValue, values: PlaceholderValues): JsonValue {
  if (typeof value === 'string') return fillPlaceholders(value, values);
  if (Array.isArray(value)) return value.map((v) => fillJson(v, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillJson(v, values)]));
  return value;
}

/** The RELEASE_* variables a command gets: the same values as its placeholders. */
export function placeholderEnv(values: PlaceholderValues): Record<string, string> {
  return {
    ...(values.fromVersion ? { RELEASE_FROM_VERSION: values.fromVersion } : {}),
    ...(values.toVersion !== undefined ? { RELEASE_TO_VERSION: values.toVersion, RELEASE_VERSION: values.toVersion } : {}),
    ...(values.runId ? { RELEASE_RUN_ID: values.runId } : {}),
  };
}

/** Where in a value (a string, an argv, a JSON body) the retired name appears, as zod paths. */
export function retiredPlaceholderPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return value.includes(RETIRED) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => retiredPlaceholderPaths(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => retiredPlaceholderPaths(v, [...path, k]));
  return [];
}
