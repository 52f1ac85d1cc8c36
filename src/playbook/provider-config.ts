/**
 * The provider sections of the release config: each port's `provider` picks its adapter (the
 * sandbox when absent) and zod checks that provider's own fields. Secrets are references only.
 * Each provider's schema is a function, called only when a config names that provider
 * (provider-option.ts); the parts several providers share are built once, on first use.
 */
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { parseDuration } from '../util/duration.js';
import { RETIRED_PLACEHOLDER_MESSAGE, retiredPlaceholderPaths } from './command-placeholders.js';
import { byProvider, once, providerOption } from './provider-option.js';

/** A secret is named, never written: the env var holding it, or the file containing it. */
export const SecretRef = described(
  z.union([z.strictObject({ env: z.string().check(z.minLength(1)) }), z.strictObject({ path: z.string().check(z.minLength(1)) })], {
    error: 'name the secret as { env: VAR_NAME } or { path: ./file } (never the secret itself)',
  }),
  'Where the secret is: { env: NAME } or { path: ./file }',
);
export type SecretRef = z.output<typeof SecretRef>;

/** A URL, as classic zod's `z.string().url()` checks it. */
const Url = () => z.string().check(z.url());

/** A duration kept as written (`15m`), checked here, parsed where used. */
const DurationText = (fallback: string) =>
  z._default(z.union([z.string(), z.number()]), fallback).check(
    z.refine((v) => {
      try {
        parseDuration(v);
        return true;
      } catch {
        return false;
      }
    }, 'a duration such as 30s, 15m or 2h'),
  );

const Sandbox = <E extends z.core.$ZodLooseShape>(extra: () => E) => providerOption('sandbox', () => z.strictObject({ provider: z.literal('sandbox'), ...extra() }));

/** Google credentials, shared by Google Play and Firebase. */
const GoogleCredentials = once(() =>
  described(
    z.optional(
      z.union([
        z.strictObject({ serviceAccountKey: SecretRef }),
        z.strictObject({ accessToken: z.strictObject({ env: z.string().check(z.minLength(1)) }) }),
        z.strictObject({ applicationDefault: z.literal(true) }),
      ]),
    ),
    'Default: GOOGLE_APPLICATION_CREDENTIALS (a key file), else application default credentials',
  ),
);

/** Refuses the ambiguous `{previousVersion}` wherever it is written (command-placeholders.ts). */
function noRetiredPlaceholder(value: unknown, ctx: z.core.$RefinementCtx, at: string): void {
  for (const path of retiredPlaceholderPaths(value, [at])) ctx.addIssue({ code: 'custom', message: RETIRED_PLACEHOLDER_MESSAGE, path });
}

/** A child process: an argument array (no shell), or a string with `shell: true`. */
const CommandSpec = once(() =>
  z
    .strictObject({
      run: described(
        z.union([z.array(z.string()).check(z.minLength(1)), z.string().check(z.minLength(1))]),
        'argv, e.g. [./deploy.sh, "{toVersion}"]; {fromVersion}, {toVersion} (or {version}), {runId} are filled in',
      ),
      shell: z._default(z.boolean(), false),
      timeout: DurationText('15m'),
      cwd: z.optional(z.string()),
      env: z._default(z.record(z.string(), z.string()), {}),
    })
    .check(z.refine((c) => Array.isArray(c.run) || c.shell, { message: 'a string command needs shell: true (or write it as an argument list)', path: ['run'] }))
    .check(z.superRefine((c, ctx) => noRetiredPlaceholder(c.run, ctx, 'run'))),
);
export type CommandSpec = z.output<ReturnType<typeof CommandSpec>>;

// --- stores ----------------------------------------------------------------------------------

const AppStoreConnect = () =>
  z.strictObject({
    provider: z.literal('app-store-connect'),
    issuerId: described(z.optional(z.string()), 'API key issuer id (omit for an individual key)'),
    keyId: described(z.string().check(z.minLength(1)), 'API key id'),
    privateKey: described(SecretRef, 'The .p8 key: { path: ./AuthKey_X.p8 } or { env: ASC_PRIVATE_KEY } (its contents)'),
    appId: described(z.optional(z.string()), 'Apple app id; default: looked up from app.ios.bundleId'),
    apiBase: described(z.optional(Url()), 'Default https://api.appstoreconnect.apple.com (env RELEASE_ASC_API_BASE)'),
    internalGroup: described(z.optional(z.string()), 'TestFlight internal group that must have the build (default: any internal group)'),
    tokenTtl: described(
      z._default(z.string(), '15m').check(z.refine((v) => /^\d+(ms|s|m)$/.test(v), 'a duration such as 15m')),
      'Lifetime of each API token; Apple refuses more than 20m',
    ),
    pollInterval: described(z._default(z.string(), '30s'), 'First delay between checks while waiting for the store'),
    publishTimeout: described(z._default(z.string(), '2h'), 'How long to wait for a released version to show as live'),
  });

const GooglePlay = () =>
  z.strictObject({
    provider: z.literal('google-play'),
    credentials: GoogleCredentials(),
    track: z._default(z.string(), 'production'),
    internalTrack: described(z._default(z.string(), 'internal'), 'internal (or qa, as some accounts name it)'),
    apiRoot: described(z.optional(Url()), 'Default https://androidpublisher.googleapis.com/ (env RELEASE_PLAY_API_ROOT)'),
    consoleUrl: described(z.optional(Url()), 'Your Play Console "Publishing overview" page, printed at the Publish gate'),
    pollInterval: z._default(z.string(), '30s'),
    publishTimeout: z._default(z.string(), '2h'),
  });

export type AppStoreConnectConfig = z.output<ReturnType<typeof AppStoreConnect>>;
export type GooglePlayConfig = z.output<ReturnType<typeof GooglePlay>>;

export const StoresSection = z.prefault(
  z.strictObject({
    ios: byProvider(providerOption('app-store-connect', AppStoreConnect), Sandbox(() => ({}))),
    android: byProvider(providerOption('google-play', GooglePlay), Sandbox(() => ({}))),
  }),
  { ios: undefined, android: undefined },
);

// --- remote config ---------------------------------------------------------------------------

const PlatformKeys = (minimum: string, latest: string) =>
  z.prefault(z.strictObject({ minimum: z._default(z.string(), minimum), latest: z._default(z.string(), latest) }), {});

/** Where the keys the tool owns live: dotted paths in a JSON document (the seed's shape by default). */
export const ConfigKeysSchema = z.prefault(
  z.strictObject({
    maintenance: described(z._default(z.string(), 'maintenance_mode'), 'Path of the maintenance switch'),
    featureFlags: described(z._default(z.string(), 'feature_flags'), 'Path of the feature-flag object ("" = flags at the top level)'),
    ios: PlatformKeys('ios.minimum_version', 'ios.latest_version'),
    android: PlatformKeys('android.minimum_version', 'android.latest_version'),
  }),
  {},
);

/** Firebase parameters are flat names; feature flags are parameters of their own. */
const FirebaseKeys = () =>
  z.prefault(
    z.strictObject({
      maintenance: z._default(z.string(), 'maintenance_mode'),
      featureFlags: z._default(z.string(), ''),
      ios: PlatformKeys('ios_minimum_version', 'ios_latest_version'),
      android: PlatformKeys('android_minimum_version', 'android_latest_version'),
    }),
    {},
  );

/** The propagation barrier: the URL the apps read (maybe through a CDN) must show our write. */
const Public = () => ({
  publicUrl: described(z.optional(Url()), 'The URL the apps read (a CDN in front?): after each write the run waits until it shows the new values'),
  propagationTimeout: DurationText('5m'),
});

const HttpConfig = () =>
  z.strictObject({
    provider: z.literal('http'),
    url: described(Url(), 'The JSON document: GET to read, PUT (or PATCH) to write'),
    writeUrl: described(z.optional(Url()), 'Where writes go, if not `url`'),
    method: described(z._default(z.enum(['PUT', 'PATCH']), 'PUT'), 'PATCH sends a JSON merge patch of the keys that change'),
    headers: described(z._default(z.record(z.string(), z.string()), {}), 'e.g. Authorization: "Bearer ${CONFIG_TOKEN}" — ${NAME} comes from the environment'),
    timeout: DurationText('30s'),
    keys: ConfigKeysSchema,
    ...Public(),
  });

const FirebaseConfig = () =>
  z.strictObject({
    provider: z.literal('firebase'),
    projectId: z.string().check(z.minLength(1)),
    credentials: GoogleCredentials(),
    baseUrl: described(z.optional(Url()), 'Default https://firebaseremoteconfig.googleapis.com (env FIREBASE_REMOTE_CONFIG_URL_BASE)'),
    keys: FirebaseKeys(),
    ...Public(),
  });

const FileConfig = () =>
  z.strictObject({
    provider: z.literal('file'),
    path: described(z.string().check(z.minLength(1)), 'A JSON file (e.g. kept in a repo), written atomically'),
    keys: ConfigKeysSchema,
    ...Public(),
  });

const CommandConfig = () =>
  z.strictObject({
    provider: z.literal('command'),
    read: described(CommandSpec(), 'Prints the JSON document on stdout'),
    write: described(CommandSpec(), 'Gets the new JSON document on stdin; RELEASE_CONFIG_IF_MATCH holds the version it must still have'),
    keys: ConfigKeysSchema,
    ...Public(),
  });

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
    .strictObject({
      url: z.optional(Url()),
      versionPath: described(z.optional(z.string()), 'Dotted path of the version in the JSON answer, e.g. build.version'),
      versionPattern: described(z.optional(z.string()), 'Regex with one group, for a non-JSON answer'),
      headers: z._default(z.record(z.string(), z.string()), {}),
      command: described(z.optional(CommandSpec()), 'Prints the served version on stdout'),
    })
    .check(z.refine((h) => h.url || h.command, 'give health.url or health.command'))
    .check(z.refine((h) => !h.url || h.versionPath || h.versionPattern, 'with health.url, say where the version is: versionPath or versionPattern'));

const BackendCommon = () => ({
  version: described(z.optional(z.string()), 'The backend version the flip deploys (default: app.version)'),
  health: Health(),
  waitForVersion: described(DurationText('10m'), 'After a deploy or rollback, how long the new version may take to serve'),
  apis: described(z._default(z.record(z.string(), Url()), {}), 'Scenario A: a health URL per API version, e.g. v1, v2'),
});

const CommandBackend = () =>
  z.strictObject({
    provider: z.literal('command'),
    deploy: CommandSpec(),
    rollback: CommandSpec(),
    ...BackendCommon(),
  });

/** One instance for deploy and rollback: the JSON Schema then names its recursive `z.json()` once. */
const Webhook = once(() =>
  z
    .strictObject({
      url: Url(),
      method: z._default(z.enum(['POST', 'PUT']), 'POST'),
      headers: z._default(z.record(z.string(), z.string()), {}),
      body: described(z._default(z.record(z.string(), z.json()), {}), 'JSON body; "{fromVersion}", "{toVersion}" (or "{version}"), "{runId}" are filled in'),
    })
    .check(z.superRefine((w, ctx) => noRetiredPlaceholder(w.body, ctx, 'body'))),
);

const WebhookBackend = () =>
  z.strictObject({
    provider: z.literal('webhook'),
    deploy: Webhook(),
    rollback: Webhook(),
    ...BackendCommon(),
  });

export type CommandBackendSection = z.output<ReturnType<typeof CommandBackend>>;
export type WebhookBackendSection = z.output<ReturnType<typeof WebhookBackend>>;

export const BackendSection = byProvider(
  providerOption('command', CommandBackend),
  providerOption('webhook', WebhookBackend),
  Sandbox(() => ({ version: described(z.optional(z.string()), 'The backend version the flip deploys (default: app.version)') })),
);

// --- sign-off and notifications --------------------------------------------------------------

const HumanSignoff = () =>
  z.strictObject({
    provider: z.literal('human'),
    smoke: described(z.optional(CommandSpec()), 'Must pass before anyone is asked; a failure rejects the sign-off'),
  });

export type HumanSignoffSection = z.output<ReturnType<typeof HumanSignoff>>;

export const SignoffSection = byProvider(providerOption('human', HumanSignoff), Sandbox(() => ({})));

export const NotifySection = z.prefault(
  z.strictObject({
    slack: z.optional(z.strictObject({ webhook: described(SecretRef, 'The incoming-webhook URL, e.g. { env: SLACK_WEBHOOK_URL }') })),
  }),
  {},
);
