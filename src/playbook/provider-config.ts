/**
 * The provider sections of the release config: each port's `provider` picks its adapter (the
 * sandbox when absent) and zod checks that provider's own fields. Secrets are references only.
 * Each provider's schema is a function, called only when a config names that provider
 * (provider-option.ts); the parts several providers share are built once, on first use.
 */
import * as z from '../util/zod.js';
import { parseDuration } from '../util/duration.js';
import { RETIRED_PLACEHOLDER_MESSAGE, retiredPlaceholderPaths } from './command-placeholders.js';
import { byProvider, once, providerOption } from './provider-option.js';

/** A secret is named, never written: the env var holding it, or the file containing it. */
export const SecretRef = z
  .union([z.object({ env: z.string().min(1) }).strict(), z.object({ path: z.string().min(1) }).strict()], {
    error: 'name the secret as { env: VAR_NAME } or { path: ./file } (never the secret itself)',
  })
  .describe('Where the secret is: { env: NAME } or { path: ./file }');
export type SecretRef = z.output<typeof SecretRef>;

/** A duration kept as written (`15m`), checked here, parsed where used. */
const DurationText = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .refine((v) => {
      try {
        parseDuration(v);
        return true;
      } catch {
        return false;
      }
    }, 'a duration such as 30s, 15m or 2h');

const Sandbox = <E extends z.ZodRawShape>(extra: () => E) => providerOption('sandbox', () => z.object({ provider: z.literal('sandbox'), ...extra() }).strict());

/** Google credentials, shared by Google Play and Firebase. */
const GoogleCredentials = once(() =>
  z
    .union([
      z.object({ serviceAccountKey: SecretRef }).strict(),
      z.object({ accessToken: z.object({ env: z.string().min(1) }).strict() }).strict(),
      z.object({ applicationDefault: z.literal(true) }).strict(),
    ])
    .optional()
    .describe('Default: GOOGLE_APPLICATION_CREDENTIALS (a key file), else application default credentials'),
);

/** Refuses the ambiguous `{previousVersion}` wherever it is written (command-placeholders.ts). */
function noRetiredPlaceholder(value: unknown, ctx: z.RefinementCtx, at: string): void {
  for (const path of retiredPlaceholderPaths(value, [at])) ctx.addIssue({ code: 'custom', message: RETIRED_PLACEHOLDER_MESSAGE, path });
}

/** A child process: an argument array (no shell), or a string with `shell: true`. */
const CommandSpec = once(() =>
  z
    .object({
      run: z
        .union([z.array(z.string()).min(1), z.string().min(1)])
        .describe('argv, e.g. [./deploy.sh, "{toVersion}"]; {fromVersion}, {toVersion} (or {version}), {runId} are filled in'),
      shell: z.boolean().default(false),
      timeout: DurationText('15m'),
      cwd: z.string().optional(),
      env: z.record(z.string(), z.string()).default({}),
    })
    .strict()
    .refine((c) => Array.isArray(c.run) || c.shell, { message: 'a string command needs shell: true (or write it as an argument list)', path: ['run'] })
    .superRefine((c, ctx) => noRetiredPlaceholder(c.run, ctx, 'run')),
);
export type CommandSpec = z.output<ReturnType<typeof CommandSpec>>;

// --- stores ----------------------------------------------------------------------------------

const AppStoreConnect = () =>
  z
    .object({
      provider: z.literal('app-store-connect'),
      issuerId: z.string().optional().describe('API key issuer id (omit for an individual key)'),
      keyId: z.string().min(1).describe('API key id'),
      privateKey: SecretRef.describe('The .p8 key: { path: ./AuthKey_X.p8 } or { env: ASC_PRIVATE_KEY } (its contents)'),
      appId: z.string().optional().describe('Apple app id; default: looked up from app.ios.bundleId'),
      apiBase: z.string().url().optional().describe('Default https://api.appstoreconnect.apple.com (env RELEASE_ASC_API_BASE)'),
      internalGroup: z.string().optional().describe('TestFlight internal group that must have the build (default: any internal group)'),
      tokenTtl: z
        .string()
        .default('15m')
        .refine((v) => /^\d+(ms|s|m)$/.test(v), 'a duration such as 15m')
        .describe('Lifetime of each API token; Apple refuses more than 20m'),
      pollInterval: z.string().default('30s').describe('First delay between checks while waiting for the store'),
      publishTimeout: z.string().default('2h').describe('How long to wait for a released version to show as live'),
    })
    .strict();

const GooglePlay = () =>
  z
    .object({
      provider: z.literal('google-play'),
      credentials: GoogleCredentials(),
      track: z.string().default('production'),
      internalTrack: z.string().default('internal').describe('internal (or qa, as some accounts name it)'),
      apiRoot: z.string().url().optional().describe('Default https://androidpublisher.googleapis.com/ (env RELEASE_PLAY_API_ROOT)'),
      consoleUrl: z.string().url().optional().describe('Your Play Console "Publishing overview" page, printed at the Publish gate'),
      pollInterval: z.string().default('30s'),
      publishTimeout: z.string().default('2h'),
    })
    .strict();

export type AppStoreConnectConfig = z.output<ReturnType<typeof AppStoreConnect>>;
export type GooglePlayConfig = z.output<ReturnType<typeof GooglePlay>>;

export const StoresSection = z
  .object({
    ios: byProvider(providerOption('app-store-connect', AppStoreConnect), Sandbox(() => ({}))),
    android: byProvider(providerOption('google-play', GooglePlay), Sandbox(() => ({}))),
  })
  .strict()
  .prefault({ ios: undefined, android: undefined });

// --- remote config ---------------------------------------------------------------------------

const PlatformKeys = (minimum: string, latest: string) =>
  z.object({ minimum: z.string().default(minimum), latest: z.string().default(latest) }).strict().prefault({});

/** Where the keys the tool owns live: dotted paths in a JSON document (the seed's shape by default). */
export const ConfigKeysSchema = z
  .object({
    maintenance: z.string().default('maintenance_mode').describe('Path of the maintenance switch'),
    featureFlags: z.string().default('feature_flags').describe('Path of the feature-flag object ("" = flags at the top level)'),
    ios: PlatformKeys('ios.minimum_version', 'ios.latest_version'),
    android: PlatformKeys('android.minimum_version', 'android.latest_version'),
  })
  .strict()
  .prefault({});

/** Firebase parameters are flat names; feature flags are parameters of their own. */
const FirebaseKeys = () =>
  z
    .object({
      maintenance: z.string().default('maintenance_mode'),
      featureFlags: z.string().default(''),
      ios: PlatformKeys('ios_minimum_version', 'ios_latest_version'),
      android: PlatformKeys('android_minimum_version', 'android_latest_version'),
    })
    .strict()
    .prefault({});

/** The propagation barrier: the URL the apps read (maybe through a CDN) must show our write. */
const Public = () => ({
  publicUrl: z.string().url().optional().describe('The URL the apps read (a CDN in front?): after each write the run waits until it shows the new values'),
  propagationTimeout: DurationText('5m'),
});

const HttpConfig = () =>
  z
    .object({
      provider: z.literal('http'),
      url: z.string().url().describe('The JSON document: GET to read, PUT (or PATCH) to write'),
      writeUrl: z.string().url().optional().describe('Where writes go, if not `url`'),
      method: z.enum(['PUT', 'PATCH']).default('PUT').describe('PATCH sends a JSON merge patch of the keys that change'),
      headers: z.record(z.string(), z.string()).default({}).describe('e.g. Authorization: "Bearer ${CONFIG_TOKEN}" — ${NAME} comes from the environment'),
      timeout: DurationText('30s'),
      keys: ConfigKeysSchema,
      ...Public(),
    })
    .strict();

const FirebaseConfig = () =>
  z
    .object({
      provider: z.literal('firebase'),
      projectId: z.string().min(1),
      credentials: GoogleCredentials(),
      baseUrl: z.string().url().optional().describe('Default https://firebaseremoteconfig.googleapis.com (env FIREBASE_REMOTE_CONFIG_URL_BASE)'),
      keys: FirebaseKeys(),
      ...Public(),
    })
    .strict();

const FileConfig = () =>
  z
    .object({
      provider: z.literal('file'),
      path: z.string().min(1).describe('A JSON file (e.g. kept in a repo), written atomically'),
      keys: ConfigKeysSchema,
      ...Public(),
    })
    .strict();

const CommandConfig = () =>
  z
    .object({
      provider: z.literal('command'),
      read: CommandSpec().describe('Prints the JSON document on stdout'),
      write: CommandSpec().describe('Gets the new JSON document on stdin; RELEASE_CONFIG_IF_MATCH holds the version it must still have'),
      keys: ConfigKeysSchema,
      ...Public(),
    })
    .strict();

export type HttpConfigSection = z.output<ReturnType<typeof HttpConfig>>;
export type FirebaseConfigSection = z.output<ReturnType<typeof FirebaseConfig>>;
export type FileConfigSection = z.output<ReturnType<typeof FileConfig>>;
export type CommandConfigSection = z.output<ReturnType<typeof CommandConfig>>;

export const RemoteConfigSection = byProvider(
  providerOption('http', HttpConfig),
  providerOption('firebase', FirebaseConfig),
  providerOption('file', FileConfig),
  providerOption('command', CommandConfig),
  Sandbox(() => ({ keys: ConfigKeysSchema })),
);

// --- backend ---------------------------------------------------------------------------------

/** How the served version is read: a health URL (JSON path or regex), or a command. */
const Health = () =>
  z
    .object({
      url: z.string().url().optional(),
      versionPath: z.string().optional().describe('Dotted path of the version in the JSON answer, e.g. build.version'),
      versionPattern: z.string().optional().describe('Regex with one group, for a non-JSON answer'),
      headers: z.record(z.string(), z.string()).default({}),
      command: CommandSpec().optional().describe('Prints the served version on stdout'),
    })
    .strict()
    .refine((h) => h.url || h.command, 'give health.url or health.command')
    .refine((h) => !h.url || h.versionPath || h.versionPattern, 'with health.url, say where the version is: versionPath or versionPattern');

const BackendCommon = () => ({
  version: z.string().optional().describe('The backend version the flip deploys (default: app.version)'),
  health: Health(),
  waitForVersion: DurationText('10m').describe('After a deploy or rollback, how long the new version may take to serve'),
  apis: z.record(z.string(), z.string().url()).default({}).describe('Scenario A: a health URL per API version, e.g. v1, v2'),
});

const CommandBackend = () =>
  z
    .object({
      provider: z.literal('command'),
      deploy: CommandSpec(),
      rollback: CommandSpec(),
      ...BackendCommon(),
    })
    .strict();

/** One instance for deploy and rollback: the JSON Schema then names its recursive `z.json()` once. */
const Webhook = once(() =>
  z
    .object({
      url: z.string().url(),
      method: z.enum(['POST', 'PUT']).default('POST'),
      headers: z.record(z.string(), z.string()).default({}),
      body: z.record(z.string(), z.json()).default({}).describe('JSON body; "{fromVersion}", "{toVersion}" (or "{version}"), "{runId}" are filled in'),
    })
    .strict()
    .superRefine((w, ctx) => noRetiredPlaceholder(w.body, ctx, 'body')),
);

const WebhookBackend = () =>
  z
    .object({
      provider: z.literal('webhook'),
      deploy: Webhook(),
      rollback: Webhook(),
      ...BackendCommon(),
    })
    .strict();

export type CommandBackendSection = z.output<ReturnType<typeof CommandBackend>>;
export type WebhookBackendSection = z.output<ReturnType<typeof WebhookBackend>>;

export const BackendSection = byProvider(
  providerOption('command', CommandBackend),
  providerOption('webhook', WebhookBackend),
  Sandbox(() => ({ version: z.string().optional().describe('The backend version the flip deploys (default: app.version)') })),
);

// --- sign-off and notifications --------------------------------------------------------------

const HumanSignoff = () =>
  z
    .object({
      provider: z.literal('human'),
      smoke: CommandSpec().optional().describe('Must pass before anyone is asked; a failure rejects the sign-off'),
    })
    .strict();

export type HumanSignoffSection = z.output<ReturnType<typeof HumanSignoff>>;

export const SignoffSection = byProvider(providerOption('human', HumanSignoff), Sandbox(() => ({})));

export const NotifySection = z
  .object({
    slack: z.object({ webhook: SecretRef.describe('The incoming-webhook URL, e.g. { env: SLACK_WEBHOOK_URL }') }).strict().optional(),
  })
  .strict()
  .prefault({});
