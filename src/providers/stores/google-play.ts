/**
 * Google Play, through the Play Developer API v3 on @googleapis/androidpublisher (imported on
 * first use only). Review state comes from `applications.tracks.releases.list` (no edit needed);
 * staged rollouts change through an edit (insert -> tracks.update -> commit). There is no API for
 * "Publish changes" under managed publishing: a person presses it, and this adapter polls until
 * the release reads PUBLISHED. Retries, pacing and settling a commit are store-call.ts's, as for
 * the App Store.
 * API: https://developers.google.com/android-publisher/api-ref/rest
 */
import type { androidpublisher_v3 } from '@googleapis/androidpublisher';
import { createPrivateKey } from 'node:crypto';
import type { GooglePlayConfig } from '../../playbook/release-config.js';
import { parseDuration } from '../../util/duration.js';
import { highestVersion, versionIn } from '../../util/versions.js';
import { pollUntil } from '../../util/poll.js';
import { MissingSecret, resolveSecret, type SecretContext } from '../secrets.js';
import { Pacer, type CallKind } from './pacer.js';
import { RECOVERY_STATUS, type AppRecovery, type AppRecoveryControl, type HealthCheck, type InternalTesting, type Progress, type PublishOptions, type ReviewState, type RolloutControl, type RolloutOperation, type RolloutStatus, type StorePort, type StoreRelease, type VersionCodeRange } from './port.js';
import { storeCall, type Attempt } from './store-call.js';
import { retryAfterMs, StoreError } from './store-error.js';

type Api = androidpublisher_v3.Androidpublisher;
type Summary = androidpublisher_v3.Schema$ReleaseSummary;
type TrackRelease = androidpublisher_v3.Schema$TrackRelease;
type RecoveryAction = androidpublisher_v3.Schema$AppRecoveryAction;

const SCOPE = 'https://www.googleapis.com/auth/androidpublisher';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const DEFAULT_ROOT = 'https://androidpublisher.googleapis.com/';
const EDIT_ATTEMPTS = 3;
/** Play's quotas are per-minute buckets (https://developers.google.com/android-publisher/quotas). */
const RATE_WINDOW_MS = 60_000;
/** A request unanswered this long has an unknown outcome, like a 5xx. */
const REQUEST_TIMEOUT_MS = 60_000;

/** What one call needs besides its own arguments: Ctrl-C, and where to say why it waits. */
interface Cx {
  signal?: AbortSignal;
  progress?: Progress;
}

const LIFECYCLE: Record<string, ReviewState> = {
  RELEASE_LIFECYCLE_STATE_DRAFT: 'not-submitted',
  RELEASE_LIFECYCLE_STATE_NOT_SENT_FOR_REVIEW: 'not-submitted',
  RELEASE_LIFECYCLE_STATE_IN_REVIEW: 'in-review',
  RELEASE_LIFECYCLE_STATE_APPROVED_NOT_PUBLISHED: 'approved',
  RELEASE_LIFECYCLE_STATE_NOT_APPROVED: 'rejected',
  RELEASE_LIFECYCLE_STATE_PUBLISHED: 'live',
};

/** A Play error, read from gaxios: status, Google's JSON error body, or a network code. */
interface PlayFailure {
  status?: number;
  reason?: string;
  message: string;
}

export class GooglePlayStore implements StorePort {
  readonly platform = 'android' as const;
  readonly storeName = 'Google Play';
  readonly publishing = 'console' as const;
  private api: Promise<Api> | undefined;
  private readonly pacer = new Pacer({ store: this.storeName, windowMs: RATE_WINDOW_MS, windowName: 'minute' });
  /** Makes the next call fetch a new access token (service accounts, application default credentials). */
  private renewAuth: (() => void) | undefined;
  readonly pollIntervalMs: number;

  constructor(
    private readonly cfg: GooglePlayConfig,
    private readonly app: { package: string; versionCode?: number },
    private readonly secrets: SecretContext,
  ) {
    this.pollIntervalMs = parseDuration(cfg.pollInterval);
  }

  async readRelease(version: string, signal?: AbortSignal, progress?: Progress): Promise<StoreRelease> {
    const summary = await this.findRelease(this.cfg.track, version, { signal, progress });
    const storeState = summary?.releaseLifecycleState ?? `NO_RELEASE_ON_${this.cfg.track.toUpperCase()}`;
    const state = summary ? LIFECYCLE[storeState] ?? 'unknown' : 'not-submitted';
    return {
      platform: 'android',
      version,
      state,
      storeState,
      // The managed-publishing switch is not in the API: a person attests it.
      manualPublishing: 'unverifiable',
      ...(state === 'rejected' ? { rejectionReason: `${storeState}: read the policy status in the Play Console` } : {}),
    };
  }

  async readInternalTesting(version: string, signal?: AbortSignal, progress?: Progress): Promise<InternalTesting> {
    const cx = { signal, progress };
    let track = this.cfg.internalTrack;
    let summary: Summary | undefined;
    try {
      summary = await this.findRelease(track, version, cx);
    } catch (err) {
      // Accounts name the internal track `internal` or `qa` (store-apis A2).
      if (!(err instanceof StoreError) || (err.info.status !== 404 && err.info.status !== 400) || track === 'qa') throw err;
      track = 'qa';
      summary = await this.findRelease(track, version, cx);
    }
    if (!summary) return { ready: false, detail: `the ${track} track has no release of ${version}${this.app.versionCode ? ` (version code ${this.app.versionCode})` : ''}` };
    const codes = (summary.activeArtifacts ?? []).map((a) => a.versionCode).join(', ');
    return { ready: true, detail: `the ${track} track holds ${version} (version code ${codes}, ${summary.releaseLifecycleState})` };
  }

  /**
   * The highest version published on the track (a staged rollout counts). Play keeps versions in
   * release names ("142 (1.4.2)"), not in a field: a name without one is not counted.
   */
  async liveVersion(signal?: AbortSignal, progress?: Progress): Promise<string | null> {
    const releases = await this.list(this.cfg.track, { signal, progress });
    return highestVersion(releases.filter((r) => LIFECYCLE[r.releaseLifecycleState ?? ''] === 'live').map((r) => versionIn(r.releaseName)));
  }

  /** Managed publishing: the captain pressed "Publish changes"; wait until Play shows it. */
  async publish(version: string, opts: PublishOptions): Promise<void> {
    await pollUntil({
      what: `Google Play ${version} to be published`,
      intervalMs: Math.min(parseDuration(this.cfg.pollInterval), 15_000),
      timeoutMs: parseDuration(this.cfg.publishTimeout),
      signal: opts.signal,
      progress: opts.progress,
      check: async () => {
        const r = await this.readRelease(version, opts.signal, opts.progress);
        if (r.state === 'live') return { done: true, value: undefined };
        if (r.state !== 'approved') {
          throw new StoreError({
            store: this.storeName,
            app: this.app.package,
            call: 'wait for publish',
            code: r.storeState,
            storeMessage: `release ${version} is ${r.storeState}`,
            next: 'It is no longer approved and waiting: look at the Publishing overview in the Play Console.',
          });
        }
        return { done: false, state: `${r.storeState}: waiting for "Publish changes" in the Play Console` };
      },
    });
  }

  consoleLink(): string {
    return this.cfg.consoleUrl ?? `https://play.google.com/console (Publishing overview of ${this.app.package})`;
  }

  readonly rollout: RolloutControl = {
    read: (version, signal, progress) => this.withEdit({ signal, progress }, async (editId, cx) => ({ commit: false, value: statusOf(await this.ourRelease(editId, version, cx)) })),
    apply: (version, op, opts) => this.applyRollout(version, op, opts),
  };

  /**
   * App Recovery (https://developers.google.com/android-publisher/api-ref/rest/v3/apprecovery).
   * Create, deploy and cancel are POSTs: after a lost answer each is settled by listing the
   * actions back, never sent again blindly (a second create would make a second draft).
   */
  readonly appRecovery: AppRecoveryControl = {
    list: (versionCode, signal, progress) => this.listRecoveries(versionCode, { signal, progress }),
    createDraft: async (versions, cx) => {
      const api = await this.connect();
      const before = new Set((await this.listRecoveries(versions.start, cx)).map((r) => r.id));
      const created = () => this.listRecoveries(versions.start, cx).then((all) => all.find((r) => !before.has(r.id) && r.state === 'draft' && sameRange(r.versions, versions)));
      const res = await this.call('apprecovery.create', 'write', cx, () =>
        api.apprecovery.create(
          {
            packageName: this.app.package,
            requestBody: {
              remoteInAppUpdate: { isRemoteInAppUpdateRequested: true },
              targeting: { versionRange: { versionCodeStart: String(versions.start), versionCodeEnd: String(versions.end) } },
            },
          },
          { signal: cx.signal },
        ),
        async () => (await created()) !== undefined,
      );
      const draft = res ? recoveryOf(res.data) : await created();
      if (!draft) throw this.error('apprecovery.create', { message: 'Play answered the create, but no new draft can be listed back' }, 'Run `release app-recovery list` and look in the Play Console (App Recovery) before creating another one.');
      return draft;
    },
    deploy: (id, versions, cx) => this.changeRecovery('deploy', id, versions, cx),
    cancel: (id, versions, cx) => this.changeRecovery('cancel', id, versions, cx),
  };

  async check(signal?: AbortSignal): Promise<HealthCheck[]> {
    const name = 'Google Play';
    try {
      const summaries = await this.list(this.cfg.track, { signal });
      return [{ ok: true, name, detail: `${this.describeCredentials()} reaches ${this.app.package} (${this.cfg.track}: ${summaries.length} release(s))` }];
    } catch (err) {
      const detail = err instanceof StoreError ? `${err.message} ${err.hint ?? ''}`.trim() : (err as Error).message;
      return [{ ok: false, name, detail }];
    }
  }

  // --- releases --------------------------------------------------------------------------------

  private async list(track: string, cx: Cx): Promise<Summary[]> {
    const api = await this.connect();
    const res = await this.safe(`tracks.releases.list (${track})`, cx, () =>
      api.applications.tracks.releases.list({ parent: `applications/${this.app.package}/tracks/${track}` }, { signal: cx.signal }),
    );
    return res.data.releases ?? [];
  }

  /** Our release: by version code when configured, else by a release name naming the version. */
  private async findRelease(track: string, version: string, cx: Cx): Promise<Summary | undefined> {
    const releases = await this.list(track, cx);
    const code = this.app.versionCode;
    if (code !== undefined) return releases.find((r) => (r.activeArtifacts ?? []).some((a) => Number(a.versionCode) === code));
    return releases.find((r) => namesVersion(r.releaseName, version));
  }

  // --- app recovery ----------------------------------------------------------------------------

  private async listRecoveries(versionCode: number, cx: Cx): Promise<AppRecovery[]> {
    const api = await this.connect();
    const res = await this.safe(`apprecovery.list (version code ${versionCode})`, cx, () =>
      api.apprecovery.list({ packageName: this.app.package, versionCode: String(versionCode) }, { signal: cx.signal }),
    );
    return (res.data.recoveryActions ?? []).map(recoveryOf);
  }

  /** Deploy or cancel, idempotent: an action already in the wanted state is done. */
  private async changeRecovery(op: 'deploy' | 'cancel', id: string, versions: VersionCodeRange, cx: Cx): Promise<void> {
    const api = await this.connect();
    const wanted = op === 'deploy' ? 'active' : 'canceled';
    const read = async () => (await this.listRecoveries(versions.start, cx)).find((r) => r.id === id);
    const now = await read();
    if (!now) throw this.error(`apprecovery.${op}`, { status: 404, message: `no App Recovery action ${id} targets version code ${versions.start}` }, 'Check the id and the version codes with `release app-recovery list --versions <range>`.');
    if (now.state === wanted) return;
    const send = () =>
      op === 'deploy'
        ? api.apprecovery.deploy({ packageName: this.app.package, appRecoveryId: id, requestBody: {} }, { signal: cx.signal })
        : api.apprecovery.cancel({ packageName: this.app.package, appRecoveryId: id, requestBody: {} }, { signal: cx.signal });
    await this.call(`apprecovery.${op}`, 'write', cx, send, async () => (await read())?.state === wanted);
  }

  // --- staged rollout through an edit ----------------------------------------------------------

  private async applyRollout(version: string, op: RolloutOperation, opts: Cx & { validateOnly?: boolean }): Promise<RolloutStatus> {
    if (op.kind === 'fraction' && !(op.fraction > 0 && op.fraction < 1)) {
      throw this.error('staged rollout', { status: 400, reason: 'badRequest', message: 'User fraction must be lower than one.' }, 'A staged fraction is between 0 and 1 (exclusive); use "complete" for 100 %.');
    }
    const outcome = await this.withEdit(opts, async (editId, cx) => {
      const api = await this.connect();
      const track = await this.safe('edits.tracks.get', cx, () => api.edits.tracks.get({ packageName: this.app.package, editId, track: this.cfg.track }, { signal: cx.signal }));
      const releases = track.data.releases ?? [];
      const ours = releases.find((r) => this.isOurs(r, version));
      if (!ours) throw this.error(`rollout ${op.kind}`, { status: 404, message: `no release of ${version} on the ${this.cfg.track} track` }, 'Publish it first; a rollout exists only for a published release.');
      const next = nextRelease(ours, op);
      if (!next) return { commit: false, value: statusOf(ours) };
      await this.safe('edits.tracks.update', cx, () =>
        api.edits.tracks.update(
          { packageName: this.app.package, editId, track: this.cfg.track, requestBody: { track: this.cfg.track, releases: releases.map((r) => (r === ours ? next : r)) } },
          { signal: cx.signal },
        ),
      );
      const wanted = statusOf(next);
      // After a commit with no answer: the track read back (from a fresh edit) says whether it happened.
      const landed = async () => sameRollout(await this.rollout.read(version, cx.signal, cx.progress), wanted);
      return { commit: true, value: wanted, landed };
    }).catch(async (err: unknown) => {
      // Halting with nothing in progress: if it is halted already, the halt is done (store-quirks 7).
      if (op.kind === 'halt' && err instanceof StoreError && err.info.code === 'releaseToHaltNotFound') {
        const now = await this.rollout.read(version, opts.signal, opts.progress);
        if (now.state === 'halted') return now;
      }
      throw err;
    });
    return outcome;
  }

  private async ourRelease(editId: string, version: string, cx: Cx): Promise<TrackRelease | undefined> {
    const api = await this.connect();
    const track = await this.safe('edits.tracks.get', cx, () => api.edits.tracks.get({ packageName: this.app.package, editId, track: this.cfg.track }, { signal: cx.signal }));
    return (track.data.releases ?? []).find((r) => this.isOurs(r, version));
  }

  private isOurs(r: TrackRelease, version: string): boolean {
    if (this.app.versionCode !== undefined) return (r.versionCodes ?? []).includes(String(this.app.versionCode));
    return namesVersion(r.name, version);
  }

  /**
   * One edit, redone from a fresh edit when Play invalidated it (another edit committed, a Console
   * change, expiry: store-quirks 10). An edit that is not committed is deleted.
   */
  private async withEdit<T>(
    opts: Cx & { validateOnly?: boolean },
    work: (editId: string, cx: Cx) => Promise<{ commit: boolean; value: T; landed?: () => Promise<boolean> }>,
  ): Promise<T> {
    const api = await this.connect();
    const cx = { signal: opts.signal, progress: opts.progress };
    for (let attempt = 1; ; attempt++) {
      // An edit is a draft: a second one after a lost answer costs nothing (it drops the first).
      const edit = await this.safe('edits.insert', cx, () => api.edits.insert({ packageName: this.app.package }, { signal: cx.signal }));
      const editId = edit.data.id!;
      let committed = false;
      try {
        const { commit, value, landed } = await work(editId, cx);
        if (commit && opts.validateOnly) {
          await this.safe('edits.validate', cx, () => api.edits.validate({ packageName: this.app.package, editId }, { signal: cx.signal }));
        } else if (commit) {
          await this.commit(editId, cx, landed);
          committed = true;
        }
        return value;
      } catch (err) {
        if (attempt < EDIT_ATTEMPTS && err instanceof StoreError && isEditInvalidated(err)) continue;
        throw err;
      } finally {
        if (!committed) await api.edits.delete({ packageName: this.app.package, editId }).catch(() => undefined);
      }
    }
  }

  /**
   * Whether `changesNotSentForReview` is required or forbidden flips with the app's review state
   * (store-quirks 1 and 2), so it is never hard-coded: commit plainly, and follow what Play says.
   */
  private async commit(editId: string, cx: Cx, landed?: () => Promise<boolean>): Promise<void> {
    const api = await this.connect();
    const attempt = (flag?: boolean) =>
      this.call('edits.commit', 'write', cx, () => api.edits.commit({ packageName: this.app.package, editId, ...(flag ? { changesNotSentForReview: true } : {}) }, { signal: cx.signal }), landed);
    try {
      await attempt();
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      if (/changesNotSentForReview to true|cannot be sent for review automatically/i.test(err.info.storeMessage)) {
        await attempt(true);
        return;
      }
      if (/changesNotSentForReview must not be set/i.test(err.info.storeMessage)) {
        await attempt(false);
        return;
      }
      throw err;
    }
  }

  // --- transport -------------------------------------------------------------------------------

  private connect(): Promise<Api> {
    this.api ??= (async () => {
      const { androidpublisher, auth } = await import('@googleapis/androidpublisher');
      const rootUrl = this.secrets.env.RELEASE_PLAY_API_ROOT ?? this.cfg.apiRoot ?? DEFAULT_ROOT;
      // retry: false — retries are ours, uniform across stores, and never repeat a commit.
      return androidpublisher({ version: 'v3', auth: await this.authClient(auth), rootUrl, retry: false, timeout: REQUEST_TIMEOUT_MS });
    })();
    return this.api.catch((err) => {
      this.api = undefined;
      throw err;
    });
  }

  private async authClient(authModule: typeof import('@googleapis/androidpublisher').auth) {
    const creds = this.cfg.credentials;
    if (creds && 'accessToken' in creds) {
      const token = resolveSecret(creds.accessToken, this.secrets, 'Google Play access token (stores.android.credentials.accessToken)');
      const client = new authModule.OAuth2();
      // With an expiry date set, the client never tries to refresh (there is nothing to refresh with).
      client.setCredentials({ access_token: token.trim(), expiry_date: Date.now() + 3_600_000 });
      return client;
    }
    let google;
    if (creds && 'serviceAccountKey' in creds) {
      const key = parseServiceAccount(resolveSecret(creds.serviceAccountKey, this.secrets, 'Google Play service-account key (stores.android.credentials.serviceAccountKey)'));
      google = new authModule.GoogleAuth({ credentials: key, scopes: [SCOPE] });
    } else {
      // GOOGLE_APPLICATION_CREDENTIALS (a key file), gcloud's application default credentials, or the metadata server.
      google = new authModule.GoogleAuth({ scopes: [SCOPE] });
    }
    let client;
    try {
      client = await google.getClient();
    } catch (err) {
      throw new MissingSecret(
        `no usable Google credentials: ${(err as Error).message.split('\n')[0]} — set stores.android.credentials, or GOOGLE_APPLICATION_CREDENTIALS to a service-account key file`,
      );
    }
    const tokenUrl = this.secrets.env.RELEASE_PLAY_TOKEN_URL;
    if (tokenUrl) {
      // The token endpoint is hard-coded in gtoken (it ignores the key's token_uri); a proxy needs this.
      client.transporter.interceptors.request.add({
        resolved: async (o) => {
          if (String(o.url) === GOOGLE_TOKEN_URL) o.url = new URL(tokenUrl);
          return o;
        },
      });
    }
    // After a 401, mark the token expiring: the client then signs for a new one before the next call.
    const renewable = client as { credentials: { expiry_date?: number | null } };
    this.renewAuth = () => {
      renewable.credentials = { ...renewable.credentials, expiry_date: 1 };
    };
    // GoogleAuth caches the client configured above; the API calls go through it.
    return google;
  }

  private describeCredentials(): string {
    const creds = this.cfg.credentials;
    if (creds && 'accessToken' in creds) return `the access token in ${creds.accessToken.env}`;
    if (creds && 'serviceAccountKey' in creds) return 'the service-account key';
    return 'application default credentials';
  }

  /** A call that may be sent again: a read, or a step of an edit that is not committed yet. */
  private async safe<T>(call: string, cx: Cx, send: () => Promise<T>): Promise<T> {
    return (await this.call(call, 'safe', cx, send)) as T;
  }

  private async call<T>(call: string, kind: CallKind, cx: Cx, send: () => Promise<T>, landed?: () => Promise<boolean>): Promise<T | undefined> {
    return storeCall<T>({
      kind,
      pacer: this.pacer,
      renewAuth: () => this.renewAuth?.(),
      signal: cx.signal,
      progress: cx.progress,
      landed,
      send: async (): Promise<Attempt<T>> => {
        try {
          return { ok: true, value: await send() };
        } catch (err) {
          return this.attempt(call, err);
        }
      },
    });
  }

  /** A failed call, read: what kind of failure it is, in the store's own words. */
  private attempt(call: string, err: unknown): Attempt<never> {
    const failure = playFailure(err);
    const error = this.error(call, failure);
    const retryAfter = retryAfterMs(headerOf(err, 'retry-after'));
    // A used-up daily quota is a 403 and is refused: it does not lift within the run (store-quirks 12).
    if (failure.status === 429) return { ok: false, failure: 'rate-limited', error, retryAfterMs: retryAfter };
    if (failure.status === 401) return { ok: false, failure: 'unauthorized', error };
    if (failure.status === undefined || failure.status >= 500) return { ok: false, failure: 'unknown', error, retryAfterMs: retryAfter };
    return { ok: false, failure: 'refused', error };
  }

  private error(call: string, failure: PlayFailure, next?: string): StoreError {
    return new StoreError({
      store: this.storeName,
      app: this.app.package,
      call,
      status: failure.status,
      code: failure.reason,
      storeMessage: failure.message,
      next: next ?? nextAction(failure, this.app.package),
      retryable: failure.status === undefined || failure.status >= 500,
    });
  }
}

function namesVersion(name: string | null | undefined, version: string): boolean {
  if (!name) return false;
  return name === version || name.includes(`(${version})`) || name.split(/[\s()]+/).includes(version);
}

function statusOf(r: TrackRelease | undefined): RolloutStatus {
  if (!r) return { state: 'not-started', detail: 'no release on the track' };
  const fraction = r.userFraction ?? undefined;
  const pct = fraction !== undefined ? ` ${Math.round(fraction * 100)}%` : '';
  const state: RolloutStatus['state'] = r.status === 'completed' ? 'complete' : r.status === 'halted' ? 'halted' : r.status === 'inProgress' ? 'staged' : 'not-started';
  return { state, ...(fraction !== undefined ? { fraction } : {}), detail: `${r.status}${pct}` };
}

/**
 * The release after an operation, or undefined when it is already there. userFraction rules
 * (store-quirks 6): completed has none; inProgress and halted keep 0 < f < 1; a fully released
 * release cannot be staged again (quirk 5) — asking for a fraction of it is already done.
 */
function nextRelease(r: TrackRelease, op: RolloutOperation): TrackRelease | undefined {
  const { userFraction, ...rest } = r;
  switch (op.kind) {
    case 'halt':
      if (r.status === 'halted') return undefined;
      return { ...rest, status: 'halted', ...(r.status === 'inProgress' && userFraction ? { userFraction } : {}) };
    case 'resume':
      if (r.status !== 'halted') return undefined;
      return userFraction ? { ...rest, status: 'inProgress', userFraction } : { ...rest, status: 'completed' };
    case 'complete':
      return r.status === 'completed' ? undefined : { ...rest, status: 'completed' };
    case 'fraction':
      if (r.status === 'completed' || (r.status === 'inProgress' && userFraction === op.fraction)) return undefined;
      return { ...rest, status: r.status === 'halted' ? 'halted' : 'inProgress', userFraction: op.fraction };
  }
}

const RECOVERY_STATES = Object.fromEntries(Object.entries(RECOVERY_STATUS).map(([state, word]) => [word, state])) as Record<string, AppRecovery['state']>;

function recoveryOf(a: RecoveryAction): AppRecovery {
  const t = a.targeting ?? {};
  const list = (t.versionList?.versionCodes ?? []).map(Number);
  const versions = t.versionRange
    ? { start: Number(t.versionRange.versionCodeStart), end: Number(t.versionRange.versionCodeEnd) }
    : { start: Math.min(...list), end: Math.max(...list) };
  const bundles = a.remoteInAppUpdateData?.remoteAppUpdateDataPerBundle ?? [];
  const storeState = a.status ?? 'RECOVERY_STATUS_UNSPECIFIED';
  return {
    id: String(a.appRecoveryId),
    state: RECOVERY_STATES[storeState] ?? 'unknown',
    storeState,
    versions,
    ...(a.createTime ? { createdAt: a.createTime } : {}),
    ...(a.deployTime ? { deployedAt: a.deployTime } : {}),
    ...(a.cancelTime ? { canceledAt: a.cancelTime } : {}),
    ...(bundles.length ? { recovered: { devices: sum(bundles.map((b) => Number(b.recoveredDeviceCount ?? 0))), of: sum(bundles.map((b) => Number(b.totalDeviceCount ?? 0))) } } : {}),
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function sameRange(a: VersionCodeRange, b: VersionCodeRange): boolean {
  return a.start === b.start && a.end === b.end;
}

function isEditInvalidated(err: StoreError): boolean {
  const { status, code, storeMessage } = err.info;
  return (
    status === 410 ||
    (status === 404 && /edit/i.test(`${code} ${storeMessage}`)) ||
    /edit has (been deleted|expired|already been successfully committed)|this edit has expired|editNotFound|editExpired|editAlreadyCommitted|editDeleted/i.test(`${code} ${storeMessage}`)
  );
}

function playFailure(err: unknown): PlayFailure {
  const e = err as { status?: number; code?: string | number; message?: string; response?: { status?: number; data?: { error?: { message?: string; status?: string; errors?: { reason?: string }[]; details?: { reason?: string }[] } } } };
  const status = e.status ?? e.response?.status ?? (typeof e.code === 'number' ? e.code : undefined);
  const body = e.response?.data?.error;
  const reason = body?.errors?.[0]?.reason ?? body?.details?.find((d) => d.reason)?.reason ?? body?.status ?? (typeof e.code === 'string' ? e.code : undefined);
  return { status, reason, message: body?.message ?? e.message ?? String(err) };
}

function headerOf(err: unknown, name: string): string | null {
  const headers = (err as { response?: { headers?: { get?(n: string): string | null } & Record<string, unknown> } }).response?.headers;
  if (!headers) return null;
  return typeof headers.get === 'function' ? headers.get(name) : ((headers[name] as string | undefined) ?? null);
}

function sameRollout(a: RolloutStatus, b: RolloutStatus): boolean {
  return a.state === b.state && a.fraction === b.fraction;
}

function nextAction(f: PlayFailure, pkg: string): string {
  const text = `${f.reason ?? ''} ${f.message}`;
  // Google's token endpoint refusing the signed assertion: the key, not the network or Play.
  if (/invalid_grant|invalid_client|unauthorized_client|Invalid JWT/i.test(text)) {
    return "Google refused the service-account key (deleted or disabled, another account's, or this machine's clock is off): create a new JSON key for the service account, then resume.";
  }
  if (f.status === undefined) return 'Google Play did not answer: check the network (and stores.android.apiRoot / RELEASE_PLAY_API_ROOT), then resume.';
  if (f.status === 401) return 'Google refused the credentials (an access token lasts one hour): renew them, then resume.';
  if (f.status === 403 && /quota|rateLimitExceeded|usageLimits/i.test(text)) return 'The Play API quota is used up for today: do not retry now; continue after the quota resets (midnight Pacific).';
  if (f.status === 403 && /has not been used|disabled/i.test(text)) return 'Enable the Google Play Android Developer API in the Google Cloud project of the service account.';
  if (f.status === 403) return `The service account lacks permission for ${pkg}: invite it in Play Console > Users and permissions with release rights, then resume.`;
  if (f.status === 404 && /package not found/i.test(text)) return `Play does not know ${pkg} for these credentials: check app.android.package and that the service account is in this Play Console account.`;
  if (/draft app/i.test(text)) return 'This app has never been published: do its first release in the Play Console by hand.';
  if (/first release on a track cannot be staged/i.test(text)) return 'The first release on a track must be complete: use "complete", not a fraction.';
  if (/first release on a track cannot be halted/i.test(text)) return 'Play cannot halt a track\'s first release (there is no earlier one to serve): turn the broken feature\'s flag off, or put up maintenance, and ship a hotfix.';
  if (f.status === 429) return 'Play is rate limiting: wait a minute, then resume.';
  if (f.status >= 500) return 'Google Play is failing: wait and resume.';
  return 'See the store\'s message above; fix it in the Play Console, then resume.';
}

function parseServiceAccount(text: string): { client_email: string; private_key: string } {
  let key: { type?: string; client_email?: string; private_key?: string };
  try {
    key = JSON.parse(text) as typeof key;
  } catch {
    throw new MissingSecret('the Google Play service-account key is not JSON (download a JSON key for the service account)');
  }
  if (key.type !== 'service_account' || !key.client_email || !key.private_key) {
    throw new MissingSecret('the Google Play key is not a service-account key (it needs "type": "service_account", client_email and private_key)');
  }
  // Checked here: a key that cannot sign fails inside the token request, which reads as "no answer".
  let type: string | undefined;
  try {
    type = createPrivateKey(key.private_key).asymmetricKeyType;
  } catch {
    throw new MissingSecret('the private_key of the Google Play service-account key is not a readable PEM private key (damaged when copied?): download a new JSON key for the service account');
  }
  if (type !== 'rsa') throw new MissingSecret(`the private_key of the Google Play service-account key is an ${type ?? 'unknown'} key, not RSA: download a new JSON key for the service account`);
  return { client_email: key.client_email, private_key: key.private_key };
}
