/**
 * The release config (`release.config.yaml`, found by walking up from the working directory):
 * the app and the version being shipped, the remote-config keys the tool owns, and which
 * provider serves each port. Secrets are referenced by env var name or file path, never inlined.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import semver from 'semver';
import { z } from 'zod';
import { ReleaseError } from '../errors.js';
import { formatProblem, YamlSource, type Problem } from './yaml-source.js';

const Version = z.string().refine((v) => semver.valid(v) !== null, 'must be a semantic version such as 2.0.0');

const PlatformKeys = (platform: string) =>
  z
    .object({
      minimum: z.string().default(`${platform}.minimum_version`),
      latest: z.string().default(`${platform}.latest_version`),
    })
    .strict()
    .prefault({});

export const ConfigKeysSchema = z
  .object({
    maintenance: z.string().default('maintenance_mode').describe('Path of the maintenance switch'),
    featureFlags: z.string().default('feature_flags').describe('Path of the feature-flag object'),
    ios: PlatformKeys('ios'),
    android: PlatformKeys('android'),
  })
  .strict()
  .prefault({});

const SandboxProvider = z.literal('sandbox').default('sandbox');
const Sandboxed = z.object({ provider: SandboxProvider }).strict().prefault({});
const SandboxOnly = z.object({ provider: z.literal('sandbox') }).strict();

/** One section per port: `provider` picks the adapter (default sandbox), and zod reports per provider. */
function byProvider<T extends [z.ZodObject<{ provider: z.ZodLiteral<string> }>, ...z.ZodObject<{ provider: z.ZodLiteral<string> }>[]]>(...options: T) {
  return z.preprocess(
    (value) => (value === undefined ? { provider: 'sandbox' } : value && typeof value === 'object' && !('provider' in value) ? { ...value, provider: 'sandbox' } : value),
    z.discriminatedUnion('provider', options),
  );
}

/** A secret is named, never written: the env var holding it, or the file containing it. */
export const SecretRef = z
  .union([z.object({ env: z.string().min(1) }).strict(), z.object({ path: z.string().min(1) }).strict()], {
    error: 'name the secret as { env: VAR_NAME } or { path: ./file } (never the secret itself)',
  })
  .describe('Where the secret is: { env: NAME } or { path: ./file }');
export type SecretRef = z.output<typeof SecretRef>;

const Ttl = z
  .string()
  .default('15m')
  .refine((v) => /^\d+(ms|s|m)$/.test(v), 'a duration such as 15m');

const AppStoreConnect = z
  .object({
    provider: z.literal('app-store-connect'),
    issuerId: z.string().optional().describe('API key issuer id (omit for an individual key)'),
    keyId: z.string().min(1).describe('API key id'),
    privateKey: SecretRef.describe('The .p8 key: { path: ./AuthKey_X.p8 } or { env: ASC_PRIVATE_KEY } (its contents)'),
    appId: z.string().optional().describe('Apple app id; default: looked up from app.ios.bundleId'),
    apiBase: z.string().url().optional().describe('Default https://api.appstoreconnect.apple.com (env RELEASE_ASC_API_BASE)'),
    internalGroup: z.string().optional().describe('TestFlight internal group that must have the build (default: any internal group)'),
    tokenTtl: Ttl.describe('Lifetime of each API token; Apple refuses more than 20m'),
    pollInterval: z.string().default('30s').describe('First delay between checks while waiting for the store'),
    publishTimeout: z.string().default('2h').describe('How long to wait for a released version to show as live'),
  })
  .strict();

const GooglePlay = z
  .object({
    provider: z.literal('google-play'),
    credentials: z
      .union([
        z.object({ serviceAccountKey: SecretRef }).strict(),
        z.object({ accessToken: z.object({ env: z.string().min(1) }).strict() }).strict(),
        z.object({ applicationDefault: z.literal(true) }).strict(),
      ])
      .optional()
      .describe('Default: GOOGLE_APPLICATION_CREDENTIALS (a key file), else application default credentials'),
    track: z.string().default('production'),
    internalTrack: z.string().default('internal').describe('internal (or qa, as some accounts name it)'),
    apiRoot: z.string().url().optional().describe('Default https://androidpublisher.googleapis.com/ (env RELEASE_PLAY_API_ROOT)'),
    consoleUrl: z.string().url().optional().describe('Your Play Console "Publishing overview" page, printed at the Publish gate'),
    pollInterval: z.string().default('30s'),
    publishTimeout: z.string().default('2h'),
  })
  .strict();

export type AppStoreConnectConfig = z.output<typeof AppStoreConnect>;
export type GooglePlayConfig = z.output<typeof GooglePlay>;

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
    backend: z
      .object({
        provider: SandboxProvider,
        version: z.string().optional().describe('The backend version deployed (default: app.version)'),
      })
      .strict()
      .prefault({}),
    remoteConfig: z.object({ provider: SandboxProvider, keys: ConfigKeysSchema }).strict().prefault({}),
    stores: z
      .object({
        ios: byProvider(AppStoreConnect, SandboxOnly),
        android: byProvider(GooglePlay, SandboxOnly),
      })
      .strict()
      .prefault({ ios: undefined, android: undefined }),
    signoff: Sandboxed,
    sandbox: z
      .object({
        liveVersion: Version.optional().describe('The app version live before the flip'),
        backendVersion: z.string().optional().describe('The backend version served before the flip'),
        apis: z.array(z.string()).default(['v1', 'v2']).describe('API versions the simulated backend answers'),
        androidStagedFraction: z.number().gt(0).lt(1).optional().describe('Play staged rollout the release was submitted with'),
        config: z.record(z.string(), z.json()).optional().describe('The remote-config document before the flip'),
      })
      .strict()
      .prefault({})
      .describe('Rehearsal settings for `--sandbox`'),
  })
  .strict();

export type ReleaseConfig = z.output<typeof ReleaseConfigSchema>;
export type ConfigKeys = z.output<typeof ConfigKeysSchema>;
export type Platform = 'ios' | 'android';

export const CONFIG_FILE_NAMES = ['release.config.yaml', 'release.config.yml'];

export function findConfigFile(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

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

export function platformsOf(config: ReleaseConfig): Platform[] {
  return (['ios', 'android'] as const).filter((p) => config.app[p] !== undefined);
}

export function backendVersionOf(config: ReleaseConfig): string {
  return config.backend.version ?? config.app.version;
}

export function appIdOf(config: ReleaseConfig): string {
  return config.app.id ?? config.app.ios?.bundleId ?? config.app.android?.package ?? config.app.name;
}
