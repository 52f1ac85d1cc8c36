/**
 * The release config (`release.config.yaml`, found by walking up from the working directory):
 * the app and the version being shipped, the remote-config keys the tool owns, and which
 * provider serves each port. Secrets are referenced by env var name or file path, never inlined.
 */
import { existsSync, readFileSync } from 'node:fs';
import semver from '../util/semver.js';
import * as z from '../util/zod.js';
import { ReleaseError } from '../errors.js';
import { BackendSection, ConfigKeysSchema, NotifySection, RemoteConfigSection, SignoffSection, StoresSection } from './provider-config.js';
import { Duration } from './schema.js';
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
  .superRefine((v, ctx) => {
    if (semver.valid(v) === v) return;
    ctx.addIssue({ code: 'custom', message: `must be a semantic version such as 2.0.0 (major.minor.patch): ${howToWrite(v)}` });
  });

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
const ReleasedEntry = z
  .object({
    version: Version,
    platform: z.enum(['ios', 'android', 'both']).default('both'),
    releasedAt: z.string().refine((d) => !Number.isNaN(Date.parse(d)), 'a date such as 2026-11-03 or 2026-11-03T10:00:00Z'),
  })
  .strict();

/** Defaults from seed 001 §3: 90 days + 48 hours + 7 days, a compatibility window of 99 days. */
const PolicySection = z
  .object({
    forcedUpgradeWindow: Duration.default(90 * 86_400_000).describe('Clients older than this must upgrade, e.g. 90d'),
    maxReviewLatency: Duration.default(48 * 3_600_000).describe('The longest store review you plan for, e.g. 48h'),
    adoptionTail: Duration.default(7 * 86_400_000).describe('Buffer for users who update late, e.g. 7d'),
    history: z.array(ReleasedEntry).default([]).describe('Past releases with dates (Google Play reports none)'),
    adoption: z
      .object({
        source: MetricSourceSchema.describe('a metric source as a rollout gate declares one: the percentage of sessions below the candidate floor (RELEASE_VERSION, `{version}` in an HTTP URL)'),
        maxShareBelow: z.number().min(0).max(100).describe('the floor is held back while more than this percentage of sessions is below it, e.g. 5'),
      })
      .strict()
      .optional()
      .describe('Adoption data that holds the floor back while the tail is large'),
  })
  .strict()
  .prefault({})
  .describe('The forced-upgrade policy of `release policy`');

export const ReleaseConfigSchema = z
  .object({
    app: z
      .object({
        name: z.string().min(1),
        /** The lock key: one flip per app at a time. */
        id: z.string().optional(),
        version: Version.describe('The app version being shipped'),
        wall: z
          .enum(['maintenance', 'minimum-version'])
          .default('maintenance')
          .describe('How old apps are stopped during the flip: a maintenance screen, or a force-update via minimum_version'),
        ios: z.object({ bundleId: z.string(), appId: z.string().optional(), build: z.string().optional() }).strict().optional(),
        android: z.object({ package: z.string(), versionCode: z.number().int().optional() }).strict().optional(),
      })
      .strict()
      .refine((app) => app.ios || app.android, 'configure at least one of app.ios and app.android'),
    backend: BackendSection,
    remoteConfig: RemoteConfigSection,
    stores: StoresSection,
    signoff: SignoffSection,
    notify: NotifySection,
    policy: PolicySection,
    /** Read before the rest by cli/state-store.ts (state-section.ts); declared here so the config's own check accepts it. */
    state: StateSection.optional(),
    sandbox: z
      .object({
        liveVersion: Version.optional().describe('The app version live before the flip'),
        backendVersion: z.string().optional().describe('The backend version served before the flip'),
        apis: z.array(z.string()).default(['v1', 'v2']).describe('API versions the simulated backend answers'),
        androidStagedFraction: z.number().gt(0).lt(1).optional().describe('Play staged rollout the release was submitted with'),
        config: z.record(z.string(), z.json()).optional().describe('The remote-config document before the flip'),
        appRecoveries: z
          .array(
            z
              .object({
                id: z.string(),
                state: z.enum(['draft', 'active', 'canceled']),
                versions: z.string().refine((v) => parseVersionCodes(v) !== undefined, VERSION_CODES_HINT),
              })
              .strict(),
          )
          .default([])
          .describe('Play App Recovery actions that exist before the run'),
        releaseHistory: z.array(ReleasedEntry).optional().describe('Past releases for `release policy --sandbox` (default: a weekly cadence up to liveVersion)'),
      })
      .strict()
      .prefault({})
      .describe('Rehearsal settings for `--sandbox`'),
  })
  .strict();

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
