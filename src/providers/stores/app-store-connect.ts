/**
 * The App Store, through the App Store Connect API, on @rage-against-the-pixel/app-store-connect-api.
 * The SDK is imported on first use only. Its generated calls get our own fetch client: the
 * package's AppStoreConnectClient is a process-wide singleton whose token is renewed only after
 * it expired (see asc-token.ts), and it never retries. Retries, rate-limit pacing and settling
 * writes are store-call.ts's, as for Google Play.
 * API: https://developer.apple.com/documentation/appstoreconnectapi
 */
import type { Client } from '@rage-against-the-pixel/app-store-connect-api/dist/app_store_connect_api/client/index.js';
import type { AppStoreConnectConfig } from '../../playbook/release-config.js';
import { parseDuration } from '../../util/duration.js';
import { highestVersion } from '../../util/versions.js';
import { pollUntil } from '../../util/poll.js';
import { MissingSecret, resolveSecret, type SecretContext } from '../secrets.js';
import { AscTokenSource } from './asc-token.js';
import { Pacer, parseAppleRateLimit, type CallKind } from './pacer.js';
import type { HealthCheck, InternalTesting, Progress, PublishOptions, ReviewState, RolloutControl, RolloutOperation, RolloutStatus, StorePort, StoreRelease } from './port.js';
import { storeCall, type Attempt } from './store-call.js';
import { retryAfterMs, StoreError } from './store-error.js';

type Sdk = typeof import('@rage-against-the-pixel/app-store-connect-api');

interface Connection {
  sdk: Sdk;
  client: Client;
}

/** The JSON:API resource of an appStoreVersion, as far as we read it. */
interface VersionResource {
  id: string;
  attributes?: { versionString?: string; appStoreState?: string; appVersionState?: string; releaseType?: string };
  relationships?: { build?: { data?: { id: string } | null } };
}

type Result<T> = { data?: T; error?: unknown; response?: Response };

/** What one call needs besides its own arguments: Ctrl-C, and where to say why it waits. */
interface Cx {
  signal?: AbortSignal;
  progress?: Progress;
}

const DEFAULT_BASE = 'https://api.appstoreconnect.apple.com';
/** Apple counts calls per key over a rolling hour; RELEASE_ASC_RATE_WINDOW shortens it for tests. */
const RATE_WINDOW = '1h';
/** A request unanswered this long has an unknown outcome, like a 5xx. */
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Both state names are accepted: `appStoreState` is deprecated for `appVersionState` (API 3.3),
 * which renamed READY_FOR_SALE to READY_FOR_DISTRIBUTION and PROCESSING_FOR_APP_STORE to
 * PROCESSING_FOR_DISTRIBUTION (store-quirks 19).
 */
const STATES: Record<string, ReviewState> = {
  PENDING_DEVELOPER_RELEASE: 'approved',
  READY_FOR_DISTRIBUTION: 'live',
  READY_FOR_SALE: 'live',
  PROCESSING_FOR_DISTRIBUTION: 'releasing',
  PROCESSING_FOR_APP_STORE: 'releasing',
  PENDING_APPLE_RELEASE: 'releasing',
  WAITING_FOR_REVIEW: 'in-review',
  IN_REVIEW: 'in-review',
  READY_FOR_REVIEW: 'in-review',
  WAITING_FOR_EXPORT_COMPLIANCE: 'in-review',
  ACCEPTED: 'in-review',
  PREPARE_FOR_SUBMISSION: 'not-submitted',
  DEVELOPER_REJECTED: 'not-submitted',
  REJECTED: 'rejected',
  METADATA_REJECTED: 'rejected',
  INVALID_BINARY: 'rejected',
};

/** States in which releaseType may still change (before approval; Apple does not list them). */
const RELEASE_TYPE_EDITABLE = new Set(['PREPARE_FOR_SUBMISSION', 'DEVELOPER_REJECTED', 'REJECTED', 'METADATA_REJECTED', 'INVALID_BINARY', 'WAITING_FOR_REVIEW', 'READY_FOR_REVIEW']);

/** Total pause time a phased release allows before it completes by itself (days). */
const PAUSE_BUDGET_DAYS = 30;

/** Apple's 7-day phased release: 1, 2, 5, 10, 20, 50, 100 %. */
const PHASED_FRACTIONS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];

export class AppStoreConnectStore implements StorePort {
  readonly platform = 'ios' as const;
  readonly storeName = 'App Store Connect';
  readonly publishing = 'api' as const;
  private connection: Promise<Connection> | undefined;
  private tokens: AscTokenSource | undefined;
  private appId: Promise<string> | undefined;
  private readonly pacer: Pacer;
  readonly pollIntervalMs: number;

  constructor(
    private readonly cfg: AppStoreConnectConfig,
    private readonly app: { bundleId: string; build?: string },
    private readonly secrets: SecretContext,
  ) {
    this.pacer = new Pacer({ store: this.storeName, windowMs: parseDuration(secrets.env.RELEASE_ASC_RATE_WINDOW ?? RATE_WINDOW), windowName: 'hour' });
    this.pollIntervalMs = parseDuration(cfg.pollInterval);
  }

  async readRelease(version: string, signal?: AbortSignal, progress?: Progress): Promise<StoreRelease> {
    const v = await this.findVersion(version, { signal, progress });
    if (!v) {
      return { platform: 'ios', version, state: 'not-submitted', storeState: 'NO_SUCH_VERSION', manualPublishing: 'off', manualPublishingSettable: false };
    }
    const storeState = stateOf(v);
    const state = STATES[storeState] ?? 'unknown';
    return {
      platform: 'ios',
      version,
      state,
      storeState,
      manualPublishing: v.attributes?.releaseType === 'MANUAL' ? 'on' : 'off',
      manualPublishingSettable: RELEASE_TYPE_EDITABLE.has(storeState),
      ...(state === 'rejected' ? { rejectionReason: `${storeState}: read Apple's notes in the App Store Connect Resolution Center` } : {}),
    };
  }

  async readInternalTesting(version: string, signal?: AbortSignal, progress?: Progress): Promise<InternalTesting> {
    const cx = { signal, progress };
    const appId = await this.resolveAppId(cx);
    type Build = { id: string; attributes?: { version?: string; processingState?: string; expired?: boolean } };
    const builds = await this.read<{ data: Build[] }>('GET /v1/builds', cx, ({ sdk, client }) =>
      sdk.Builds.buildsGetCollection({
        client,
        signal,
        query: {
          'filter[app]': [appId],
          'filter[preReleaseVersion.version]': [version],
          'filter[preReleaseVersion.platform]': ['IOS'],
          ...(this.app.build ? { 'filter[version]': [this.app.build] } : {}),
          sort: ['-uploadedDate'],
          limit: 1,
        },
      }),
    );
    const build = builds.data[0];
    if (!build) return { ready: false, detail: `no TestFlight build of ${version}${this.app.build ? ` (build ${this.app.build})` : ''}` };
    const label = `TestFlight build ${build.attributes?.version ?? build.id} of ${version}`;
    if (build.attributes?.processingState !== 'VALID' || build.attributes?.expired) {
      return { ready: false, detail: `${label} is ${build.attributes?.expired ? 'expired' : build.attributes?.processingState ?? 'not processed'}` };
    }
    type Group = { id: string; attributes?: { name?: string; hasAccessToAllBuilds?: boolean } };
    const groups = async (extra: Record<string, string[]>) =>
      (
        await this.read<{ data: Group[] }>('GET /v1/betaGroups', cx, ({ sdk, client }) =>
          sdk.BetaGroups.betaGroupsGetCollection({ client, signal, query: { 'filter[app]': [appId], 'filter[isInternalGroup]': ['true'], ...extra } }),
        )
      ).data.filter((g) => !this.cfg.internalGroup || g.attributes?.name === this.cfg.internalGroup);
    const withAll = (await groups({})).filter((g) => g.attributes?.hasAccessToAllBuilds);
    const holding = withAll.length ? withAll : await groups({ 'filter[builds]': [build.id] });
    if (!holding.length) return { ready: false, detail: `${label} is VALID but no internal TestFlight group${this.cfg.internalGroup ? ` named "${this.cfg.internalGroup}"` : ''} has it` };
    return { ready: true, detail: `${label} is VALID for the internal group "${holding[0]!.attributes?.name ?? holding[0]!.id}"` };
  }

  /** The version on sale now: READY_FOR_DISTRIBUTION (READY_FOR_SALE under the deprecated name). */
  async liveVersion(signal?: AbortSignal, progress?: Progress): Promise<string | null> {
    const cx = { signal, progress };
    const appId = await this.resolveAppId(cx);
    const found = await this.read<{ data: VersionResource[] }>(`GET /v1/apps/${appId}/appStoreVersions (live)`, cx, ({ sdk, client }) =>
      sdk.Apps.appsAppStoreVersionsGetToManyRelated({
        client,
        signal,
        path: { id: appId },
        query: { 'filter[platform]': ['IOS'], 'filter[appVersionState]': ['READY_FOR_DISTRIBUTION'], limit: 5 },
      }),
    );
    return highestVersion(found.data.filter((v) => STATES[stateOf(v)] === 'live').map((v) => v.attributes?.versionString));
  }

  async setManualPublishing(version: string, signal?: AbortSignal, progress?: Progress): Promise<void> {
    const cx = { signal, progress };
    const v = await this.requireVersion(version, cx);
    await this.write('PATCH /v1/appStoreVersions (releaseType MANUAL)', cx, ({ sdk, client }) =>
      sdk.AppStoreVersions.appStoreVersionsUpdateInstance({
        client,
        signal,
        path: { id: v.id },
        body: { data: { type: 'appStoreVersions', id: v.id, attributes: { releaseType: 'MANUAL' } } },
      }),
      {
        landed: async () => (await this.findVersion(version, cx))?.attributes?.releaseType === 'MANUAL',
        next: (status) =>
          status === 409
            ? `App Store Connect locks releaseType in ${stateOf(v)} (store-quirks 17). Remove the version from review ("Developer Reject"), choose "Manually release this version", and resubmit.`
            : undefined,
      },
    );
  }

  async publish(version: string, opts: PublishOptions): Promise<void> {
    const cx = { signal: opts.signal, progress: opts.progress };
    const v = await this.requireVersion(version, cx);
    const state = STATES[stateOf(v)];
    if (state === 'approved') {
      if (opts.phased) await this.ensurePhasedRelease(v.id, cx);
      await this.requestRelease(v, cx);
    } else if (state !== 'releasing' && state !== 'live') {
      throw new StoreError({
        store: this.storeName,
        app: this.app.bundleId,
        call: 'release',
        code: stateOf(v),
        storeMessage: `version ${version} is ${stateOf(v)}, not PENDING_DEVELOPER_RELEASE`,
        next: 'Only an approved version waiting for manual release can be released.',
      });
    }
    await pollUntil({
      what: `App Store ${version} to go live`,
      intervalMs: Math.min(parseDuration(this.cfg.pollInterval), 15_000),
      timeoutMs: parseDuration(this.cfg.publishTimeout),
      signal: opts.signal,
      progress: opts.progress,
      check: async () => {
        const r = await this.readRelease(version, opts.signal, opts.progress);
        return r.state === 'live' ? { done: true, value: undefined } : { done: false, state: r.storeState };
      },
    });
  }

  readonly rollout: RolloutControl = {
    read: (version, signal, progress) => this.readPhased(version, { signal, progress }),
    apply: (version, op, opts) => this.applyPhased(version, op, opts),
  };

  async check(signal?: AbortSignal): Promise<HealthCheck[]> {
    const name = 'App Store Connect';
    try {
      this.tokenSource();
      await this.tokenSource().get();
    } catch (err) {
      const detail = err instanceof MissingSecret ? err.message : `the .p8 key could not sign a token: ${(err as Error).message} (it must be the PKCS#8 "AuthKey_${this.cfg.keyId}.p8" file)`;
      return [{ ok: false, name, detail }];
    }
    try {
      const id = await this.resolveAppId({ signal });
      return [{ ok: true, name, detail: `key ${this.cfg.keyId} reaches app ${this.app.bundleId} (id ${id}) at ${this.baseUrl()}` }];
    } catch (err) {
      return [{ ok: false, name, detail: err instanceof StoreError ? `${err.message} ${err.hint ?? ''}`.trim() : (err as Error).message }];
    }
  }

  // --- versions and release ------------------------------------------------------------------

  private async findVersion(version: string, cx: Cx): Promise<VersionResource | undefined> {
    const appId = await this.resolveAppId(cx);
    const found = await this.read<{ data: VersionResource[] }>(`GET /v1/apps/${appId}/appStoreVersions`, cx, ({ sdk, client }) =>
      sdk.Apps.appsAppStoreVersionsGetToManyRelated({
        client,
        signal: cx.signal,
        path: { id: appId },
        query: { 'filter[versionString]': [version], 'filter[platform]': ['IOS'], limit: 5 },
      }),
    );
    return found.data.find((d) => d.attributes?.versionString === version) ?? found.data[0];
  }

  private async requireVersion(version: string, cx: Cx): Promise<VersionResource> {
    const v = await this.findVersion(version, cx);
    if (v) return v;
    throw new StoreError({
      store: this.storeName,
      app: this.app.bundleId,
      call: 'find version',
      status: 404,
      storeMessage: `no iOS App Store version ${version}`,
      next: `Create version ${version} in App Store Connect (or fix app.version).`,
    });
  }

  /**
   * From PENDING_DEVELOPER_RELEASE only (store-quirks 18). The version is read back after a 409
   * or an unknown outcome: already releasing (or live) means this request, or an earlier one, did it.
   * A read-back that lags behind Apple (store-quirks 25) leads to a second request, which Apple
   * refuses with a 409 that is read back in turn.
   */
  private async requestRelease(v: VersionResource, cx: Cx): Promise<void> {
    const released = async () => {
      const now = await this.findVersion(v.attributes?.versionString ?? '', cx);
      const state = now ? STATES[stateOf(now)] : undefined;
      return state === 'releasing' || state === 'live';
    };
    try {
      await this.write('POST /v1/appStoreVersionReleaseRequests', cx, ({ sdk, client }) =>
        sdk.AppStoreVersionReleaseRequests.appStoreVersionReleaseRequestsCreateInstance({
          client,
          signal: cx.signal,
          body: { data: { type: 'appStoreVersionReleaseRequests', relationships: { appStoreVersion: { data: { type: 'appStoreVersions', id: v.id } } } } },
        }),
        { landed: released },
      );
    } catch (err) {
      if (!(err instanceof StoreError) || err.info.status !== 409) throw err;
      if (await released()) return;
      throw err;
    }
  }

  private async ensurePhasedRelease(versionId: string, cx: Cx): Promise<void> {
    if (await this.phasedRelease(versionId, cx)) return;
    await this.write('POST /v1/appStoreVersionPhasedReleases', cx, ({ sdk, client }) =>
      sdk.AppStoreVersionPhasedReleases.appStoreVersionPhasedReleasesCreateInstance({
        client,
        signal: cx.signal,
        body: { data: { type: 'appStoreVersionPhasedReleases', relationships: { appStoreVersion: { data: { type: 'appStoreVersions', id: versionId } } } } },
      }),
      {
        landed: async () => (await this.phasedRelease(versionId, cx)) !== undefined,
        next: (status) => (status === 409 ? 'Phased release is not available for an app\'s first version; publish without ios-phased.' : undefined),
      },
    );
  }

  // --- phased release ------------------------------------------------------------------------

  private async phasedRelease(versionId: string, cx: Cx) {
    type Phased = { id: string; attributes?: { phasedReleaseState?: string; currentDayNumber?: number; totalPauseDuration?: number } };
    const found = await this.read<{ data: Phased | null } | undefined>(
      `GET /v1/appStoreVersions/${versionId}/appStoreVersionPhasedRelease`,
      cx,
      ({ sdk, client }) => sdk.AppStoreVersions.appStoreVersionsAppStoreVersionPhasedReleaseGetToOneRelated({ client, signal: cx.signal, path: { id: versionId } }),
      { accept: (status) => status === 404 },
    );
    return found?.data ?? undefined;
  }

  private async readPhased(version: string, cx: Cx): Promise<RolloutStatus> {
    const v = await this.requireVersion(version, cx);
    const phased = await this.phasedRelease(v.id, cx);
    if (!phased) {
      const live = STATES[stateOf(v)] === 'live';
      return { state: live ? 'complete' : 'not-started', detail: live ? 'released to everyone (no phased release)' : `no phased release (${stateOf(v)})` };
    }
    const day = Math.min(Math.max(phased.attributes?.currentDayNumber ?? 1, 1), 7); // can read 8 (store-quirks 20)
    const fraction = PHASED_FRACTIONS[day - 1];
    const raw = phased.attributes?.phasedReleaseState ?? 'INACTIVE';
    const state: RolloutStatus['state'] = raw === 'ACTIVE' ? 'staged' : raw === 'PAUSED' ? 'halted' : raw === 'COMPLETE' ? 'complete' : 'not-started';
    // Pauses add up to 30 days, then Apple releases to everyone: a pause is a delay, not a stop.
    const paused = raw === 'PAUSED' ? `, ${phased.attributes?.totalPauseDuration ?? 0} of ${PAUSE_BUDGET_DAYS} pause days used` : '';
    return { state, ...(state === 'complete' ? {} : { fraction }), detail: `${raw} (day ${day}${paused})` };
  }

  /** PATCH the phased release; "already has this value" and "final state" mean done (store-quirks 20). */
  private async applyPhased(version: string, op: RolloutOperation, opts: { signal?: AbortSignal; validateOnly?: boolean; progress?: Progress }): Promise<RolloutStatus> {
    const cx = { signal: opts.signal, progress: opts.progress };
    if (op.kind === 'fraction') {
      throw new StoreError({
        store: this.storeName,
        app: this.app.bundleId,
        call: 'phased release',
        storeMessage: 'a phased release follows Apple\'s 7-day schedule (1, 2, 5, 10, 20, 50, 100 %)',
        next: 'On the App Store, pause, resume or complete the phased release instead.',
      });
    }
    const v = await this.requireVersion(version, cx);
    const phased = await this.phasedRelease(v.id, cx);
    if (!phased) {
      if (op.kind === 'complete') return this.readPhased(version, cx);
      throw new StoreError({
        store: this.storeName,
        app: this.app.bundleId,
        call: `phased release ${op.kind}`,
        storeMessage: `version ${version} has no phased release (${stateOf(v)})`,
        next: 'An App Store release without a phased release reaches everyone at once and cannot be paused.',
      });
    }
    const target = op.kind === 'halt' ? 'PAUSED' : op.kind === 'resume' ? 'ACTIVE' : 'COMPLETE';
    if (opts.validateOnly) return this.readPhased(version, cx);
    try {
      await this.write(`PATCH /v1/appStoreVersionPhasedReleases/${phased.id}`, cx, ({ sdk, client }) =>
        sdk.AppStoreVersionPhasedReleases.appStoreVersionPhasedReleasesUpdateInstance({
          client,
          signal: cx.signal,
          path: { id: phased.id },
          body: { data: { type: 'appStoreVersionPhasedReleases', id: phased.id, attributes: { phasedReleaseState: sdk.PhasedReleaseState[target] } } },
        }),
        { landed: async () => (await this.phasedRelease(v.id, cx))?.attributes?.phasedReleaseState === target },
      );
    } catch (err) {
      const already = err instanceof StoreError && /already has this value|final state/i.test(err.info.storeMessage);
      if (!already) throw err;
    }
    return this.readPhased(version, cx);
  }

  // --- transport -------------------------------------------------------------------------------

  private async resolveAppId(cx: Cx): Promise<string> {
    if (this.cfg.appId) return this.cfg.appId;
    this.appId ??= (async () => {
      const apps = await this.read<{ data: { id: string }[] }>('GET /v1/apps', cx, ({ sdk, client }) =>
        sdk.Apps.appsGetCollection({ client, signal: cx.signal, query: { 'filter[bundleId]': [this.app.bundleId], limit: 2 } }),
      );
      const app = apps.data[0];
      if (!app) {
        throw new StoreError({
          store: this.storeName,
          app: this.app.bundleId,
          call: 'GET /v1/apps',
          status: 404,
          storeMessage: `no app with bundle id ${this.app.bundleId} is visible to key ${this.cfg.keyId}`,
          next: 'Check app.ios.bundleId, or give the API key access to this app.',
        });
      }
      return app.id;
    })();
    try {
      return await this.appId;
    } catch (err) {
      this.appId = undefined;
      throw err;
    }
  }

  private baseUrl(): string {
    return (this.secrets.env.RELEASE_ASC_API_BASE ?? this.cfg.apiBase ?? DEFAULT_BASE).replace(/\/$/, '');
  }

  private tokenSource(): AscTokenSource {
    this.tokens ??= new AscTokenSource({
      keyId: this.cfg.keyId,
      issuerId: this.cfg.issuerId,
      privateKeyPem: resolveSecret(this.cfg.privateKey, this.secrets, 'App Store Connect private key (stores.ios.privateKey)'),
      ttlMs: parseDuration(this.cfg.tokenTtl),
    });
    return this.tokens;
  }

  private connect(): Promise<Connection> {
    this.connection ??= (async () => {
      const [sdk, { createClient }] = await Promise.all([
        import('@rage-against-the-pixel/app-store-connect-api'),
        import('@rage-against-the-pixel/app-store-connect-api/dist/app_store_connect_api/client/index.js'),
      ]);
      const tokens = this.tokenSource();
      // Each request gets a current token.
      const authedFetch = async (request: Request): Promise<Response> => {
        request.headers.set('Authorization', `Bearer ${await tokens.get()}`);
        return fetch(request, { signal: AbortSignal.any([request.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) });
      };
      const client = createClient({ baseUrl: this.baseUrl(), fetch: authedFetch as typeof fetch });
      return { sdk, client };
    })();
    return this.connection;
  }

  private async read<T>(call: string, cx: Cx, send: (c: Connection) => Promise<Result<unknown>>, opts: { accept?: (status: number) => boolean } = {}): Promise<T> {
    return (await this.call<T>(call, 'safe', cx, send, opts)) as T;
  }

  /** A write whose outcome, when unknown, `landed` settles by reading the store back. */
  private async write(call: string, cx: Cx, send: (c: Connection) => Promise<Result<unknown>>, opts: { landed: () => Promise<boolean>; next?: (status: number) => string | undefined }): Promise<void> {
    await this.call(call, 'write', cx, send, opts);
  }

  private async call<T>(
    call: string,
    kind: CallKind,
    cx: Cx,
    send: (c: Connection) => Promise<Result<unknown>>,
    opts: { accept?: (status: number) => boolean; landed?: () => Promise<boolean>; next?: (status: number) => string | undefined },
  ): Promise<T | undefined> {
    const connection = await this.connect();
    return storeCall<T>({
      kind,
      pacer: this.pacer,
      renewAuth: () => this.tokenSource().invalidate(),
      signal: cx.signal,
      progress: cx.progress,
      landed: opts.landed,
      send: async () => {
        let result: Result<unknown>;
        try {
          result = await send(connection);
        } catch (err) {
          result = { error: err };
        }
        return this.attempt<T>(call, result, opts);
      },
    });
  }

  /** One answer, read: the value or what kind of failure it is (in Apple's words), and the budget left. */
  private attempt<T>(call: string, result: Result<unknown>, opts: { accept?: (status: number) => boolean; next?: (status: number) => string | undefined }): Attempt<T> {
    const response = result.response;
    const budget = parseAppleRateLimit(response?.headers.get('x-rate-limit'));
    if (response?.ok) return { ok: true, value: result.data as T, budget };
    const status = response?.status;
    if (status !== undefined && opts.accept?.(status)) return { ok: true, value: undefined as T, budget };
    const apple = appleError(result.error);
    const error = new StoreError({
      store: this.storeName,
      app: this.app.bundleId,
      call,
      status,
      code: apple.code,
      storeMessage: apple.message,
      next: (status !== undefined && opts.next?.(status)) || nextAction(status, response?.headers.get('x-rate-limit')),
    });
    const retryAfter = retryAfterMs(response?.headers.get('retry-after'));
    if (status === 429) return { ok: false, failure: 'rate-limited', error, retryAfterMs: retryAfter, budget };
    if (status === 401) return { ok: false, failure: 'unauthorized', error, budget };
    if (status === undefined || status >= 500) return { ok: false, failure: 'unknown', error, retryAfterMs: retryAfter, budget };
    return { ok: false, failure: 'refused', error, budget };
  }
}

function stateOf(v: VersionResource): string {
  return v.attributes?.appVersionState ?? v.attributes?.appStoreState ?? 'UNKNOWN';
}

/** Apple's JSON:API errors: `{errors:[{status, code, title, detail}]}`; a network failure is a TypeError. */
function appleError(error: unknown): { code?: string; message: string } {
  const first = (error as { errors?: { code?: string; title?: string; detail?: string }[] } | undefined)?.errors?.[0];
  if (first) return { code: first.code, message: [first.title, first.detail].filter(Boolean).join(' - ') };
  if (error instanceof Error) return { message: `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` };
  return { message: typeof error === 'string' ? error : 'no error body' };
}

function nextAction(status: number | undefined, rateLimit: string | null | undefined): string {
  switch (status) {
    case undefined:
      return 'App Store Connect did not answer: check the network (and stores.ios.apiBase / RELEASE_ASC_API_BASE), then resume.';
    case 401:
      return 'App Store Connect refused the API key: check stores.ios.keyId, issuerId and the .p8 key, and the machine clock (tokens are time-limited).';
    case 403:
      return 'The API key lacks permission for this: give it the App Manager (or Admin) role in Users and Access > Integrations.';
    case 404:
      return 'Check app.ios.bundleId / stores.ios.appId and that the version exists in App Store Connect.';
    case 429:
      return `Apple's rate limit is used up${rateLimit ? ` (${rateLimit})` : ''}: wait for the hourly window to roll, then resume.`;
    default:
      return status >= 500 ? 'App Store Connect is failing: check https://developer.apple.com/system-status/ and resume later.' : 'See the store\'s message above; fix it in App Store Connect, then resume.';
  }
}
