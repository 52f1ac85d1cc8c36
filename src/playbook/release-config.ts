/**
 * The release config (`release.config.yaml`, found by walking up from the working directory):
 * the app and the version being shipped, the remote-config keys the tool owns, and which
 * provider serves each port. Secrets are referenced by env var name or file path, never inlined.
 */
import { existsSync, readFileSync } from 'node:fs';
import semver from '../util/semver.js';
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { ReleaseError } from '../errors.js';
import { Duration } from './duration-input.js';
import { BackendSection, ConfigKeysSchema, NotifySection, RemoteConfigSection, SignoffSection, StoresSection } from './provider-config.js';
import { StateSection } from './state-section.js';
import { MetricSourceSchema } from '../providers/metrics/port.js';
import { formatProblem, YamlSource, type Problem } from './yaml-source.js';
import { parseVersionCodes, VERSION_CODES_HINT } from '../util/version-codes.js';

export { ConfigKeysSchema, SecretRef, type AppStoreConnectConfig, type GooglePlayConfig } from './provider-config.js';
export { CONFIG_FILE_NAMES, findConfigFile } from './config-file.js';
export { appIdOf, backendVersionOf, platformsOf } from './release-facts.js';

/**
 * Strict: the version is compared with the live config and stores, and written to minimum_version
 * as given, so `v2.0.0` (which semver's loose parse accepts) would reach the apps as "v2.0.0".
 */
const Version = z
  .string({
    // `version: 2.0` is the number 2 to YAML.
    error: (issue) =>
      typeof issue.input === 'number' ? `must be a semantic version such as 2.0.0 (major.minor.patch): YAML read ${issue.input} as a number; write three numbers, e.g. ${semver.coerce(String(issue.input))?.version ?? '2.0.0'}` : undefined,
  })
  .check(
    z.superRefine((v, ctx) => {
      if (semver.valid(v) === v) return;
      ctx.addIssue({ code: 'custom', message: `must be a semantic version such as 2.0.0 (major.minor.patch): ${howToWrite(v)}` });
    }),
  );

function howToWrite(v: string): string {
  const bare = v.trim().replace(/^[vV]/, '');
  if (/^\s*[vV]/.test(v) && semver.valid(bare) === bare) return `write ${bare}, without the v`;
  const clean = semver.valid(v, { loose: true });
  if (clean) return `write ${clean}`;
  const coerced = semver.coerce(v);
  if (coerced && /^\d+(\.\d+)?$/.test(bare)) return `write three numbers, e.g. ${coerced.version}`;
  return 'for example 2.0.0, or 2.0.0-beta.1 for a pre-release';
}


/** One past release, for `release policy`: Play reports no release dates, so a team may list them. */
const ReleasedEntry = z.strictObject({
  version: Version,
  platform: z._default(z.enum(['ios', 'android', 'both']), 'both'),
  releasedAt: z.string().check(z.refine((d) => !Number.isNaN(Date.parse(d)), 'a date such as 2026-11-03 or 2026-11-03T10:00:00Z')),
});

/** Defaults from seed 001 §3: 90 days + 48 hours + 7 days, a compatibility window of 99 days. */
const PolicySection = described(
  z.prefault(
    z.strictObject({
      forcedUpgradeWindow: described(z._default(Duration, 90 * 86_400_000), 'Clients older than this must upgrade, e.g. 90d'),
      maxReviewLatency: described(z._default(Duration, 48 * 3_600_000), 'The longest store review you plan for, e.g. 48h'),
      adoptionTail: described(z._default(Duration, 7 * 86_400_000), 'Buffer for users who update late, e.g. 7d'),
      history: described(z._default(z.array(ReleasedEntry), []), 'Past releases with dates (Google Play reports none)'),
      adoption: described(
        z.optional(
          z.strictObject({
            source: described(
              MetricSourceSchema,
              'a metric source as a rollout gate declares one: the percentage of sessions below the candidate floor (RELEASE_VERSION, `{version}` in an HTTP URL)',
            ),
            maxShareBelow: described(z.number().check(z.gte(0)).check(z.lte(100)), 'the floor is held back while more than this percentage of sessions is below it, e.g. 5'),
          }),
        ),
        'Adoption data that holds the floor back while the tail is large',
      ),
    }),
    {},
  ),
  'The forced-upgrade policy of `release policy`',
);

export const ReleaseConfigSchema = z.strictObject({
  app: z
    .strictObject({
      name: z.string().check(z.minLength(1)),
      /** The lock key: one flip per app at a time. */
      id: z.optional(z.string()),
      version: described(Version, 'The app version being shipped'),
      wall: described(
        z._default(z.enum(['maintenance', 'minimum-version']), 'maintenance'),
        'How old apps are stopped during the flip: a maintenance screen, or a force-update via minimum_version',
      ),
      ios: z.optional(z.strictObject({ bundleId: z.string(), appId: z.optional(z.string()), build: z.optional(z.string()) })),
      android: z.optional(z.strictObject({ package: z.string(), versionCode: z.optional(z.number().check(z.int())) })),
    })
    .check(z.refine((app) => app.ios || app.android, 'configure at least one of app.ios and app.android')),
  backend: BackendSection,
  remoteConfig: RemoteConfigSection,
  stores: StoresSection,
  signoff: SignoffSection,
  notify: NotifySection,
  policy: PolicySection,
  /** Read before the rest by cli/state-store.ts (state-section.ts); declared here so the config's own check accepts it. */
  state: z.optional(StateSection),
  sandbox: described(
    z.prefault(
      z.strictObject({
        liveVersion: described(z.optional(Version), 'The app version live before the flip'),
        backendVersion: described(z.optional(z.string()), 'The backend version served before the flip'),
        apis: described(z._default(z.array(z.string()), ['v1', 'v2']), 'API versions the simulated backend answers'),
        androidStagedFraction: described(z.optional(z.number().check(z.gt(0)).check(z.lt(1))), 'Play staged rollout the release was submitted with'),
        config: described(z.optional(z.record(z.string(), z.json())), 'The remote-config document before the flip'),
        appRecoveries: described(
          z._default(
            z.array(
              z.strictObject({
                id: z.string(),
                state: z.enum(['draft', 'active', 'canceled']),
                versions: z.string().check(z.refine((v) => parseVersionCodes(v) !== undefined, VERSION_CODES_HINT)),
              }),
            ),
            [],
          ),
          'Play App Recovery actions that exist before the run',
        ),
        releaseHistory: described(z.optional(z.array(ReleasedEntry)), 'Past releases for `release policy --sandbox` (default: a weekly cadence up to liveVersion)'),
      }),
      {},
    ),
    'Rehearsal settings for `--sandbox`',
  ),
});

export type ReleaseConfig = z.output<typeof ReleaseConfigSchema>;
export type ConfigKeys = z.output<typeof ConfigKeysSchema>;
export type ReleasedEntry = z.output<typeof ReleasedEntry>;
export type Platform = 'ios' | 'android';

export type ConfigResult = { ok: true; config: ReleaseConfig } | { ok: false; problems: Problem[] };

export function parseReleaseConfig(file: string, text: string): ConfigResult {
  const source = new YamlSource(file, text);
  if (source.syntaxProblems.length) return { ok: false, problems: source.syntaxProblems };
  const parsed = ReleaseConfigSchema.safeParse(source.data() ?? {});
  if (!parsed.success) return { ok: false, problems: source.fromZod(parsed.error) };
  return { ok: true, config: parsed.data };
}

export function loadReleaseConfig(file: string): ReleaseConfig {
  if (!existsSync(file)) throw new ReleaseError('usage', `Release config ${file} does not exist.`, { hint: 'Create one with `release init`.' });
  const result = parseReleaseConfig(file, readFileSync(file, 'utf8'));
  if (result.ok) return result.config;
  throw new ReleaseError('usage', `Release config ${file} is invalid.`, { details: result.problems.map(formatProblem) });
}
