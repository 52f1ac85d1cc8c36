/**
 * A local Google Play Developer API v3: production and internal tracks whose releases move
 * through review (IN_REVIEW -> APPROVED_NOT_PUBLISHED, and PUBLISHED only when a person "presses
 * Publish changes"), edits with Google's invalidation rules, staged-rollout track updates with
 * Play's userFraction and halt rules, both changesNotSentForReview commit errors, and an OAuth
 * token endpoint that checks service-account assertions, and App Recovery actions (draft ->
 * active -> canceled; listed by version code only, as Play does). Error bodies are Google's JSON errors.
 * Shapes: ../shared/notes/store-apis.md §A and store-quirks.md.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { TestServer, type Reply, type Request } from './http.js';

export interface PlayRelease {
  name: string;
  versionCodes: string[];
  status: 'draft' | 'inProgress' | 'halted' | 'completed';
  userFraction?: number;
  lifecycle: string;
}

/** One App Recovery action, in Play's shape (Schema$AppRecoveryAction). */
export interface PlayRecovery {
  appRecoveryId: string;
  status: 'RECOVERY_STATUS_DRAFT' | 'RECOVERY_STATUS_ACTIVE' | 'RECOVERY_STATUS_CANCELED';
  targeting: { versionRange?: { versionCodeStart: string; versionCodeEnd: string }; versionList?: { versionCodes: string[] } };
  createTime: string;
  lastUpdateTime: string;
  deployTime?: string;
  cancelTime?: string;
}

interface Edit {
  id: string;
  token: string;
  tracks: Record<string, PlayRelease[]>;
  state: 'open' | 'deleted' | 'committed';
}

export function googleError(code: number, status: string, message: string, reason = 'badRequest'): Reply {
  return { status: code, body: { error: { code, message, status, errors: [{ message, domain: 'global', reason }] } } };
}

const LC = (s: string) => `RELEASE_LIFECYCLE_STATE_${s}`;

/**
 * The service account's RSA key pair, one per machine: generating a 2048-bit key costs 230-700 ms
 * of CPU (a prime search), and each of the five test workers paid it. Kept in the temporary
 * directory (a test key, for emulators on 127.0.0.1 only), written aside and renamed into place
 * whole, so two workers that make it at once both read a complete one. Each emulator is still its
 * own server with its own access tokens; a test that needs a key Play does not know makes one of
 * its own.
 */
let keyPair: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
function serviceAccountKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  if (keyPair) return keyPair;
  const file = join(tmpdir(), `release-test-play-service-account-${userInfo().uid}.pem`);
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const aside = `${file}.${process.pid}`;
    writeFileSync(aside, pem, { mode: 0o600 });
    renameSync(aside, file);
  }
  const privateKey = createPrivateKey(pem);
  keyPair = { privateKey, publicKey: createPublicKey(privateKey) };
  return keyPair;
}

export class GooglePlayEmulator {
  readonly server = new TestServer();
  readonly packageName = 'com.example.shop';
  readonly accessTokens = new Set<string>(['play-token-' + randomBytes(6).toString('hex')]);
  readonly serviceAccount: { client_email: string; private_key: string; type: 'service_account'; token_uri: string };
  private readonly saPublicKey: KeyObject;
  tracks: Record<string, PlayRelease[]> = { production: [], internal: [] };
  private readonly edits = new Map<string, Edit>();
  private nextEdit = 1000;
  /** How commits treat `changesNotSentForReview` (it flips with the app's review state: store-quirks 1, 2). */
  commitFlag: 'either' | 'required' | 'forbidden' = 'either';
  /** The internal track's name in this account (`internal` or `qa`). */
  internalTrackName = 'internal';
  /** Commits Play acted on (a commit answered 503 before acting is not one). */
  commitsProcessed = 0;
  readonly recoveries = new Map<string, PlayRecovery>();
  private nextRecovery = 7001;

  constructor() {
    const { privateKey, publicKey } = serviceAccountKeyPair();
    this.saPublicKey = publicKey;
    this.serviceAccount = {
      type: 'service_account',
      client_email: 'release-bot@example-project.iam.gserviceaccount.com',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      token_uri: 'https://oauth2.googleapis.com/token',
    };
    this.routes();
  }

  get accessToken(): string {
    return [...this.accessTokens][0]!;
  }

  start(): Promise<string> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** 1.4.2 (code 142) live on production (unless `firstOnTrack`); 2.0.0 (code 200) in review there and on the internal track. */
  seed(opts: { lifecycle?: string; fraction?: number; firstOnTrack?: boolean } = {}): void {
    this.tracks.production = [
      ...(opts.firstOnTrack ? [] : [{ name: '142 (1.4.2)', versionCodes: ['142'], status: 'completed' as const, lifecycle: LC('PUBLISHED') }]),
      { name: '200 (2.0.0)', versionCodes: ['200'], status: opts.fraction ? 'inProgress' : 'completed', ...(opts.fraction ? { userFraction: opts.fraction } : {}), lifecycle: opts.lifecycle ?? LC('IN_REVIEW') },
    ];
    this.tracks[this.internalTrackName] = [{ name: '200 (2.0.0)', versionCodes: ['200'], status: 'completed', lifecycle: LC('PUBLISHED') }];
  }

  release(code = '200'): PlayRelease {
    const r = this.tracks.production!.find((x) => x.versionCodes.includes(code));
    if (!r) throw new Error(`no release ${code}`);
    return r;
  }

  /** Review passes; with managed publishing on, it waits in "Ready to publish". */
  approve(code = '200'): void {
    this.release(code).lifecycle = LC('APPROVED_NOT_PUBLISHED');
  }

  approveAfter(ms: number, code = '200'): void {
    setTimeout(() => this.approve(code), ms).unref();
  }

  /** A person presses "Publish changes" in the Play Console: every approved change goes out. */
  pressPublish(): void {
    for (const releases of Object.values(this.tracks)) {
      for (const r of releases) if (r.lifecycle === LC('APPROVED_NOT_PUBLISHED')) r.lifecycle = LC('PUBLISHED');
    }
    // A Console change invalidates open API edits (concurrency doc).
    this.invalidateEdits();
  }

  /** Google stops accepting every access token issued so far (revoked, or expired early). */
  revokeTokens(): void {
    this.accessTokens.clear();
  }

  /** Another user's commit or a Console edit: every open edit dies. */
  invalidateEdits(): void {
    for (const e of this.edits.values()) if (e.state === 'open') e.state = 'deleted';
  }

  // --- routes ----------------------------------------------------------------------------------

  private routes(): void {
    const s = this.server;
    const app = '/androidpublisher/v3/applications/([^/]+)';
    s.route('POST', /^\/token$/, (req) => this.token(req));
    s.route('GET', new RegExp(`^${app}/tracks/([^/]+)/releases$`), (_req, [pkg, track]) => this.onPackage(pkg!, () => this.releasesList(track!)));
    s.route('POST', new RegExp(`^${app}/edits$`), (req, [pkg]) => this.onPackage(pkg!, () => this.insertEdit(req)));
    s.route('GET', new RegExp(`^${app}/edits/([^/:]+)$`), (_req, [pkg, id]) => this.onEdit(pkg!, id!, (e) => ({ status: 200, body: { id: e.id, expiryTimeSeconds: String(Math.floor(Date.now() / 1000) + 3600) } })));
    s.route('DELETE', new RegExp(`^${app}/edits/([^/:]+)$`), (_req, [pkg, id]) =>
      this.onEdit(pkg!, id!, (e) => {
        e.state = 'deleted';
        return { status: 204 };
      }),
    );
    s.route('POST', new RegExp(`^${app}/edits/([^/:]+):validate$`), (_req, [pkg, id]) => this.onEdit(pkg!, id!, (e) => ({ status: 200, body: { id: e.id } })));
    s.route('POST', new RegExp(`^${app}/edits/([^/:]+):commit$`), (req, [pkg, id]) => this.onEdit(pkg!, id!, (e) => this.commit(req, e)));
    s.route('GET', new RegExp(`^${app}/edits/([^/:]+)/tracks/([^/]+)$`), (_req, [pkg, id, track]) =>
      this.onEdit(pkg!, id!, (e) => (e.tracks[track!] ? { status: 200, body: { track, releases: e.tracks[track!]!.map(trackRelease) } } : googleError(404, 'NOT_FOUND', `Track not found: ${track}`, 'notFound'))),
    );
    s.route('PUT', new RegExp(`^${app}/edits/([^/:]+)/tracks/([^/]+)$`), (req, [pkg, id, track]) => this.onEdit(pkg!, id!, (e) => this.updateTrack(req, e, track!)));
    s.route('POST', new RegExp(`^${app}/appRecoveries$`), (req, [pkg]) => this.onPackage(pkg!, () => this.createRecovery(req)));
    s.route('GET', new RegExp(`^${app}/appRecoveries$`), (req, [pkg]) => this.onPackage(pkg!, () => this.listRecoveries(req)));
    s.route('POST', new RegExp(`^${app}/appRecoveries/([^/:]+):(deploy|cancel)$`), (_req, [pkg, id, verb]) =>
      this.onPackage(pkg!, () => this.changeRecovery(id!, verb as 'deploy' | 'cancel')),
    );
    s.before = (req) => (req.path === '/token' ? undefined : this.authenticate(req));
  }

  private authenticate(req: Request): Reply | undefined {
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (token && this.accessTokens.has(token)) return undefined;
    return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', 'authError');
  }

  /** The service-account JWT-bearer grant: https://developers.google.com/identity/protocols/oauth2/service-account */
  private async token(req: Request): Promise<Reply> {
    const form = new URLSearchParams(req.rawBody);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return { status: 400, body: { error: 'unsupported_grant_type' } };
    try {
      const { payload } = await jwtVerify(form.get('assertion') ?? '', this.saPublicKey, { audience: 'https://oauth2.googleapis.com/token', issuer: this.serviceAccount.client_email });
      if (!String(payload.scope).includes('androidpublisher')) return { status: 400, body: { error: 'invalid_scope' } };
    } catch {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } };
    }
    const access = `sa-token-${randomBytes(6).toString('hex')}`;
    this.accessTokens.add(access);
    return { status: 200, body: { access_token: access, expires_in: 3600, token_type: 'Bearer' } };
  }

  private onPackage(pkg: string, handle: () => Reply): Reply {
    if (pkg !== this.packageName) return googleError(404, 'NOT_FOUND', `Package not found: ${pkg}.`, 'notFound');
    return handle();
  }

  private onEdit(pkg: string, id: string, handle: (e: Edit) => Reply): Reply {
    return this.onPackage(pkg, () => {
      const edit = this.edits.get(id);
      if (!edit) return googleError(404, 'NOT_FOUND', 'Edit not found for this application.', 'editNotFound');
      if (edit.state === 'deleted') return googleError(400, 'INVALID_ARGUMENT', 'This Edit has been deleted.');
      if (edit.state === 'committed') return googleError(400, 'FAILED_PRECONDITION', 'This edit has already been successfully committed, please create a new Edit.', 'editAlreadyCommitted');
      return handle(edit);
    });
  }

  private releasesList(track: string): Reply {
    const releases = this.tracks[track];
    if (!releases) return googleError(404, 'NOT_FOUND', `Track not found: ${track}`, 'notFound');
    return {
      status: 200,
      body: { releases: releases.map((r) => ({ releaseName: r.name, track, activeArtifacts: r.versionCodes.map((c) => ({ versionCode: Number(c) })), releaseLifecycleState: r.lifecycle })) },
    };
  }

  /** One active edit per user and app: a new insert invalidates the user's older ones. */
  private insertEdit(req: Request): Reply {
    const token = String(req.headers.authorization);
    for (const e of this.edits.values()) if (e.token === token && e.state === 'open') e.state = 'deleted';
    const edit: Edit = { id: String(this.nextEdit++), token, tracks: structuredClone(this.tracks), state: 'open' };
    this.edits.set(edit.id, edit);
    return { status: 200, body: { id: edit.id, expiryTimeSeconds: String(Math.floor(Date.now() / 1000) + 3600) } };
  }

  private updateTrack(req: Request, edit: Edit, track: string): Reply {
    const body = req.body as { releases?: { name?: string; versionCodes?: string[]; status?: PlayRelease['status']; userFraction?: number }[] };
    const before = edit.tracks[track] ?? [];
    const next: PlayRelease[] = [];
    for (const r of body.releases ?? []) {
      const problem = fractionProblem(r.status, r.userFraction);
      if (problem) return googleError(400, 'INVALID_ARGUMENT', problem);
      const old = before.find((b) => b.versionCodes.join() === (r.versionCodes ?? []).join());
      if (r.status === 'halted' && old?.status !== 'inProgress' && old?.status !== 'completed' && old?.status !== 'halted') {
        return googleError(400, 'INVALID_ARGUMENT', 'Cannot halt release, no matching in progress release found.', 'releaseToHaltNotFound');
      }
      if (r.status === 'halted' && old?.status === 'halted') {
        return googleError(400, 'INVALID_ARGUMENT', 'Cannot halt release, no matching in progress release found.', 'releaseToHaltNotFound');
      }
      if (r.status === 'halted' && r.userFraction === undefined && old?.status !== 'completed') return googleError(400, 'INVALID_ARGUMENT', 'HALTED release must have fraction');
      // A 100% release can be halted (the previous one is served again), except a track's first: there is no previous one.
      if (r.status === 'halted' && old?.status === 'completed' && before.length === 1) return googleError(400, 'INVALID_ARGUMENT', 'The first release on a track cannot be halted.');
      if (r.status === 'inProgress' && old?.status === 'completed' && old.lifecycle === LC('PUBLISHED')) {
        return googleError(400, 'INVALID_ARGUMENT', 'Fully released can not be staged.');
      }
      if (r.status === 'inProgress' && before.length === 0) return googleError(400, 'INVALID_ARGUMENT', 'The first release on a track cannot be staged.');
      next.push({ name: r.name ?? old?.name ?? '', versionCodes: r.versionCodes ?? [], status: r.status ?? 'draft', ...(r.userFraction !== undefined ? { userFraction: r.userFraction } : {}), lifecycle: old?.lifecycle ?? LC('DRAFT') });
    }
    edit.tracks[track] = next;
    return { status: 200, body: { track, releases: next.map(trackRelease) } };
  }

  // --- App Recovery (https://developers.google.com/android-publisher/api-ref/rest/v3/apprecovery)

  private createRecovery(req: Request): Reply {
    const body = (req.body ?? {}) as { remoteInAppUpdate?: { isRemoteInAppUpdateRequested?: boolean }; targeting?: PlayRecovery['targeting'] };
    if (body.remoteInAppUpdate?.isRemoteInAppUpdateRequested !== true) return googleError(400, 'INVALID_ARGUMENT', 'Recovery action type must be specified.');
    const t = body.targeting ?? {};
    if (!t.versionRange && !t.versionList) return googleError(400, 'INVALID_ARGUMENT', 'Targeting must specify app versions (a version list or a version range).');
    if (t.versionRange && Number(t.versionRange.versionCodeStart) > Number(t.versionRange.versionCodeEnd)) return googleError(400, 'INVALID_ARGUMENT', 'versionCodeStart must not be greater than versionCodeEnd.');
    const now = new Date().toISOString();
    const action: PlayRecovery = { appRecoveryId: String(this.nextRecovery++), status: 'RECOVERY_STATUS_DRAFT', targeting: structuredClone(t), createTime: now, lastUpdateTime: now };
    this.recoveries.set(action.appRecoveryId, action);
    return { status: 200, body: action };
  }

  private listRecoveries(req: Request): Reply {
    const code = req.query.get('versionCode');
    if (!code) return googleError(400, 'INVALID_ARGUMENT', 'Version code is required.');
    const targets = (a: PlayRecovery) =>
      a.targeting.versionList?.versionCodes.includes(code) ||
      (a.targeting.versionRange !== undefined && Number(a.targeting.versionRange.versionCodeStart) <= Number(code) && Number(code) <= Number(a.targeting.versionRange.versionCodeEnd));
    return { status: 200, body: { recoveryActions: [...this.recoveries.values()].filter(targets) } };
  }

  private changeRecovery(id: string, verb: 'deploy' | 'cancel'): Reply {
    const action = this.recoveries.get(id);
    if (!action) return googleError(404, 'NOT_FOUND', `App recovery action ${id} not found.`, 'notFound');
    const now = new Date().toISOString();
    if (verb === 'deploy') {
      if (action.status !== 'RECOVERY_STATUS_DRAFT') return googleError(400, 'FAILED_PRECONDITION', 'Only a recovery action in DRAFT status can be deployed.');
      Object.assign(action, { status: 'RECOVERY_STATUS_ACTIVE', deployTime: now, lastUpdateTime: now });
    } else {
      // Cancelling a draft is allowed here (UNCONFIRMED: the reference speaks of "an already executing" action).
      if (action.status === 'RECOVERY_STATUS_CANCELED') return googleError(400, 'FAILED_PRECONDITION', 'The recovery action is already canceled.');
      Object.assign(action, { status: 'RECOVERY_STATUS_CANCELED', cancelTime: now, lastUpdateTime: now });
    }
    return { status: 200, body: {} };
  }

  private commit(req: Request, edit: Edit): Reply {
    const flag = req.query.get('changesNotSentForReview') === 'true';
    if (this.commitFlag === 'required' && !flag) {
      return googleError(
        400,
        'INVALID_ARGUMENT',
        'Changes cannot be sent for review automatically. Please set the query parameter changesNotSentForReview to true. Once committed, the changes in this edit can be sent for review from the Google Play Console UI.',
      );
    }
    if (this.commitFlag === 'forbidden' && flag) return googleError(400, 'INVALID_ARGUMENT', 'Changes are sent for review automatically. The query parameter changesNotSentForReview must not be set.');
    this.tracks = structuredClone(edit.tracks);
    edit.state = 'committed';
    this.commitsProcessed += 1;
    // The first commit invalidates every other edit of the app.
    for (const e of this.edits.values()) if (e !== edit && e.state === 'open') e.state = 'deleted';
    return { status: 200, body: { id: edit.id } };
  }
}

function trackRelease(r: PlayRelease) {
  return { name: r.name, versionCodes: r.versionCodes, status: r.status, ...(r.userFraction !== undefined ? { userFraction: r.userFraction } : {}) };
}

/** Play's userFraction rules (store-quirks 6). */
function fractionProblem(status: string | undefined, fraction: number | undefined): string | undefined {
  if (fraction !== undefined && (fraction <= 0 || fraction >= 1)) return 'User fraction must be lower than one.';
  if (status === 'draft' && fraction !== undefined) return 'DRAFT release must not have fraction';
  if (status === 'completed' && fraction !== undefined) return 'A completed release must not have a user fraction.';
  if (status === 'inProgress' && fraction === undefined) return 'An in-progress release must have a user fraction.';
  return undefined;
}
