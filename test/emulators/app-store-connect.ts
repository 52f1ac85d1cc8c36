/**
 * A local App Store Connect API: apps, App Store versions moving through review, manual release
 * requests, phased releases and TestFlight builds, with Apple's JSON:API error bodies. It checks
 * every ES256 token as Apple documents (kid, aud, exp at most 20 minutes ahead, and not expired),
 * sends X-Rate-Limit on every answer, can hold a key to a rolling budget of calls (429 past it),
 * and takes injected failures.
 * Shapes: ../shared/notes/store-apis.md §B and Apple's App Store Connect API reference.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';
import { TestServer, type Reply, type Request } from './http.js';

export interface AscVersion {
  id: string;
  versionString: string;
  appVersionState: string;
  releaseType: 'MANUAL' | 'AFTER_APPROVAL' | 'SCHEDULED';
  /** `pausedDays`: Apple's totalPauseDuration; at 30 days the release completes by itself. */
  phased?: { id: string; state: 'INACTIVE' | 'ACTIVE' | 'PAUSED' | 'COMPLETE'; day: number; pausedDays?: number };
}

export interface AscBuild {
  id: string;
  version: string;
  preReleaseVersion: string;
  processingState: 'PROCESSING' | 'FAILED' | 'INVALID' | 'VALID';
  expired: boolean;
}

export interface AscGroup {
  id: string;
  name: string;
  isInternalGroup: boolean;
  hasAccessToAllBuilds: boolean;
  builds: string[];
}

/** appVersionState -> the deprecated appStoreState name (store-quirks 19). */
const LEGACY: Record<string, string> = { READY_FOR_DISTRIBUTION: 'READY_FOR_SALE', PROCESSING_FOR_DISTRIBUTION: 'PROCESSING_FOR_APP_STORE' };

const RELEASE_TYPE_EDITABLE = new Set(['PREPARE_FOR_SUBMISSION', 'WAITING_FOR_REVIEW', 'READY_FOR_REVIEW', 'REJECTED', 'DEVELOPER_REJECTED', 'METADATA_REJECTED']);

export function appleError(status: number, code: string, title: string, detail: string, pointer?: string): Reply {
  return { status, body: { errors: [{ id: `err-${Math.random().toString(16).slice(2)}`, status: String(status), code, title, detail, ...(pointer ? { source: { pointer } } : {}) }] } };
}

export class AppStoreConnectEmulator {
  readonly server = new TestServer();
  readonly keyId = 'TESTKEY123';
  readonly issuerId = '57246542-96fe-1a63-e053-0824d011072a';
  readonly privateKeyPem: string;
  private readonly publicKey: KeyObject;
  readonly app = { id: '1600000000', bundleId: 'com.example.shop', name: 'Example Shop' };
  versions: AscVersion[] = [];
  builds: AscBuild[] = [];
  groups: AscGroup[] = [];
  /** Only the deprecated appStoreState attribute, with its old names (READY_FOR_SALE). */
  legacyStateNames = false;
  /** GETs of a released version before PROCESSING_FOR_DISTRIBUTION becomes READY_FOR_DISTRIBUTION. */
  processingReads = 2;
  /** Every token seen: its expiry, so a test can prove tokens were renewed. */
  readonly tokens: { exp: number; iat?: number; at: number }[] = [];
  rateLimit = { limit: 3500, remaining: 3499 };
  /**
   * Apple's budget per key: at most `limit` calls in any rolling `windowMs` (an hour at Apple;
   * tests shorten it), shown in X-Rate-Limit; past it, 429 RATE_LIMIT_EXCEEDED. Off: the fixed `rateLimit`.
   * https://developer.apple.com/documentation/appstoreconnectapi/identifying-rate-limits
   */
  budget: { limit: number; windowMs: number } | undefined;
  private readonly spent: number[] = [];
  /** Release requests Apple acted on (a request answered 503 before acting is not one). */
  releaseRequestsProcessed = 0;
  private readonly processing = new Map<string, number>();

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    this.publicKey = publicKey;
    this.server.headers = () => {
      const { limit, remaining } = this.budget ? { limit: this.budget.limit, remaining: this.budget.limit - this.inWindow() } : this.rateLimit;
      return { 'x-rate-limit': `user-hour-lim:${limit};user-hour-rem:${Math.max(0, remaining)};` };
    };
    this.routes();
  }

  start(): Promise<string> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** A version submitted for review with MANUAL release, and a VALID build for the internal group. */
  seed(opts: { version?: string; state?: string; releaseType?: AscVersion['releaseType']; liveVersion?: string } = {}): AscVersion {
    const versionString = opts.version ?? '2.0.0';
    if (opts.liveVersion) this.versions.push({ id: 'v-live', versionString: opts.liveVersion, appVersionState: 'READY_FOR_DISTRIBUTION', releaseType: 'MANUAL' });
    const version: AscVersion = { id: `v-${versionString}`, versionString, appVersionState: opts.state ?? 'WAITING_FOR_REVIEW', releaseType: opts.releaseType ?? 'MANUAL' };
    this.versions.push(version);
    this.builds.push({ id: 'b-200', version: '200', preReleaseVersion: versionString, processingState: 'VALID', expired: false });
    this.groups.push({ id: 'g-internal', name: 'Internal testers', isInternalGroup: true, hasAccessToAllBuilds: false, builds: ['b-200'] });
    return version;
  }

  version(versionString = '2.0.0'): AscVersion {
    const v = this.versions.find((x) => x.versionString === versionString);
    if (!v) throw new Error(`no version ${versionString}`);
    return v;
  }

  /** Review passes: MANUAL waits for the developer; AFTER_APPROVAL goes live at once (the 3 AM trap). */
  approve(versionString = '2.0.0'): void {
    const v = this.version(versionString);
    v.appVersionState = v.releaseType === 'MANUAL' ? 'PENDING_DEVELOPER_RELEASE' : 'READY_FOR_DISTRIBUTION';
  }

  approveAfter(ms: number, versionString = '2.0.0'): void {
    setTimeout(() => this.approve(versionString), ms).unref();
  }

  // --- routes ----------------------------------------------------------------------------------

  private routes(): void {
    const s = this.server;
    s.route('GET', /^\/v1\/apps$/, (req) => ({ status: 200, body: { data: req.query.get('filter[bundleId]') === this.app.bundleId ? [this.appResource()] : [], links: { self: req.path } } }));
    s.route('GET', /^\/v1\/apps\/([^/]+)\/appStoreVersions$/, (req, [id]) => {
      if (id !== this.app.id) return appleError(404, 'NOT_FOUND', 'The specified resource does not exist', `There is no resource of type 'apps' with id '${id}'`);
      const wanted = req.query.get('filter[versionString]')?.split(',');
      const states = req.query.get('filter[appVersionState]')?.split(',');
      const data = this.versions
        .filter((v) => (!wanted || wanted.includes(v.versionString)) && (!states || states.includes(v.appVersionState)))
        .map((v) => this.versionResource(v, true));
      return { status: 200, body: { data, links: { self: req.path } } };
    });
    s.route('PATCH', /^\/v1\/appStoreVersions\/([^/]+)$/, (req, [id]) => this.patchVersion(req, id!));
    s.route('POST', /^\/v1\/appStoreVersionReleaseRequests$/, (req) => this.releaseRequest(req));
    s.route('GET', /^\/v1\/appStoreVersions\/([^/]+)\/appStoreVersionPhasedRelease$/, (_req, [id]) => {
      const v = this.versions.find((x) => x.id === id);
      if (!v?.phased) return appleError(404, 'NOT_FOUND', 'The specified resource does not exist', 'There is no phased release for this version');
      return { status: 200, body: { data: this.phasedResource(v) } };
    });
    s.route('POST', /^\/v1\/appStoreVersionPhasedReleases$/, (req) => {
      const id = (req.body as { data: { relationships: { appStoreVersion: { data: { id: string } } } } }).data.relationships.appStoreVersion.data.id;
      const v = this.versions.find((x) => x.id === id);
      if (!v) return appleError(404, 'NOT_FOUND', 'The specified resource does not exist', `no appStoreVersions ${id}`);
      if (v.phased) return appleError(409, 'ENTITY_ERROR.RELATIONSHIP.INVALID', 'The provided entity includes a relationship with an invalid value', 'This version already has a phased release');
      v.phased = { id: `p-${v.id}`, state: 'INACTIVE', day: 0 };
      return { status: 201, body: { data: this.phasedResource(v) } };
    });
    s.route('PATCH', /^\/v1\/appStoreVersionPhasedReleases\/([^/]+)$/, (req, [id]) => {
      const v = this.versions.find((x) => x.phased?.id === id);
      if (!v?.phased) return appleError(404, 'NOT_FOUND', 'The specified resource does not exist', `no phased release ${id}`);
      const target = (req.body as { data: { attributes: { phasedReleaseState: AscVersion['phased'] extends infer P ? P extends { state: infer S } ? S : never : never } } }).data.attributes.phasedReleaseState;
      if (v.phased.state === 'COMPLETE') return appleError(409, 'ENTITY_ERROR.ATTRIBUTE.INVALID', 'An attribute value is invalid.', 'You cannot change the state of a phased release that is in a final state.');
      if (v.phased.state === target) return appleError(409, 'ENTITY_ERROR.ATTRIBUTE.INVALID', 'An attribute value is invalid.', 'The phased release already has this value - /data/attributes/phasedReleaseState', '/data/attributes/phasedReleaseState');
      v.phased.state = target;
      return { status: 200, body: { data: this.phasedResource(v) } };
    });
    s.route('GET', /^\/v1\/builds$/, (req) => {
      const q = req.query;
      const data = this.builds
        .filter((b) => !q.get('filter[preReleaseVersion.version]') || q.get('filter[preReleaseVersion.version]')!.split(',').includes(b.preReleaseVersion))
        .filter((b) => !q.get('filter[version]') || q.get('filter[version]')!.split(',').includes(b.version))
        .map((b) => ({ type: 'builds', id: b.id, attributes: { version: b.version, processingState: b.processingState, expired: b.expired } }));
      return { status: 200, body: { data, links: { self: req.path } } };
    });
    s.route('GET', /^\/v1\/betaGroups$/, (req) => {
      const q = req.query;
      const data = this.groups
        .filter((g) => !q.get('filter[isInternalGroup]') || String(g.isInternalGroup) === q.get('filter[isInternalGroup]'))
        .filter((g) => !q.get('filter[builds]') || q.get('filter[builds]')!.split(',').some((b) => g.builds.includes(b)))
        .map((g) => ({ type: 'betaGroups', id: g.id, attributes: { name: g.name, isInternalGroup: g.isInternalGroup, hasAccessToAllBuilds: g.hasAccessToAllBuilds } }));
      return { status: 200, body: { data, links: { self: req.path } } };
    });
    s.before = (req) => this.authenticate(req);
  }

  /** Apple's rules for API tokens: https://developer.apple.com/documentation/appstoreconnectapi/generating-tokens-for-api-requests */
  private async authenticate(req: Request): Promise<Reply | undefined> {
    const denied = appleError(
      401,
      'NOT_AUTHORIZED',
      'Authentication credentials are missing or invalid.',
      'Provide a properly configured and signed bearer token, and make sure that it has not expired. Learn more about Generating Tokens for API Requests https://developer.apple.com/go/?id=api-generating-tokens',
    );
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!token) return denied;
    try {
      const { payload, protectedHeader } = await jwtVerify(token, this.publicKey, { audience: 'appstoreconnect-v1', issuer: this.issuerId, algorithms: ['ES256'] });
      const now = Date.now() / 1000;
      const exp = payload.exp ?? 0;
      // `iat` is optional (the client library sends none); exp must be at most 20 minutes ahead.
      if (protectedHeader.kid !== this.keyId || exp - now > 20 * 60 + 5) return denied;
      this.tokens.push({ exp, iat: payload.iat, at: now });
    } catch {
      return denied; // bad signature, wrong audience or issuer, or expired
    }
    return this.spend();
  }

  /** One call of the key's budget, or a 429 when the rolling window holds `limit` already. */
  private spend(): Reply | undefined {
    if (!this.budget) return undefined;
    if (this.inWindow() >= this.budget.limit) {
      return appleError(429, 'RATE_LIMIT_EXCEEDED', 'The request rate limit has been reached.', "We've received too many requests for this API. Please wait and try again or slow down your request rate.");
    }
    this.spent.push(Date.now());
    return undefined;
  }

  private inWindow(): number {
    const since = Date.now() - (this.budget?.windowMs ?? 0);
    while (this.spent.length && this.spent[0]! <= since) this.spent.shift();
    return this.spent.length;
  }

  private patchVersion(req: Request, id: string): Reply {
    const v = this.versions.find((x) => x.id === id);
    if (!v) return appleError(404, 'NOT_FOUND', 'The specified resource does not exist', `There is no resource of type 'appStoreVersions' with id '${id}'`);
    const attrs = (req.body as { data: { attributes: { releaseType?: AscVersion['releaseType'] } } }).data.attributes;
    if (attrs.releaseType) {
      if (!RELEASE_TYPE_EDITABLE.has(v.appVersionState)) {
        return appleError(409, 'ENTITY_ERROR.ATTRIBUTE.INVALID.INVALID_STATE', 'The provided entity includes an attribute with an invalid value', "The attribute 'releaseType' can not be modified.", '/data/attributes/releaseType');
      }
      v.releaseType = attrs.releaseType;
    }
    return { status: 200, body: { data: this.versionResource(v, false) } };
  }

  private releaseRequest(req: Request): Reply {
    const id = (req.body as { data: { relationships: { appStoreVersion: { data: { id: string } } } } }).data.relationships.appStoreVersion.data.id;
    const v = this.versions.find((x) => x.id === id);
    if (!v) return appleError(404, 'NOT_FOUND', 'The specified resource does not exist', `There is no resource of type 'appStoreVersions' with id '${id}'`);
    if (v.appVersionState !== 'PENDING_DEVELOPER_RELEASE') {
      return appleError(409, 'ENTITY_ERROR.RELATIONSHIP.INVALID', 'The provided entity includes a relationship with an invalid value', `The version is not in a valid state for release: ${v.appVersionState}`, '/data/relationships/appStoreVersion');
    }
    v.appVersionState = 'PROCESSING_FOR_DISTRIBUTION';
    this.releaseRequestsProcessed += 1;
    this.processing.set(v.id, this.processingReads);
    if (v.phased) v.phased = { ...v.phased, state: 'ACTIVE', day: 1 };
    return { status: 201, body: { data: { type: 'appStoreVersionReleaseRequests', id: `rr-${v.id}` }, links: { self: '/v1/appStoreVersionReleaseRequests' } } };
  }

  // --- resources -------------------------------------------------------------------------------

  private appResource() {
    return { type: 'apps', id: this.app.id, attributes: { name: this.app.name, bundleId: this.app.bundleId, sku: 'SHOP', primaryLocale: 'en-US' } };
  }

  private versionResource(v: AscVersion, read: boolean) {
    if (read && v.appVersionState === 'PROCESSING_FOR_DISTRIBUTION' && !this.processing.has(v.id)) this.processing.set(v.id, this.processingReads);
    if (read && this.processing.has(v.id)) {
      const left = this.processing.get(v.id)! - 1;
      if (left <= 0) {
        this.processing.delete(v.id);
        v.appVersionState = 'READY_FOR_DISTRIBUTION';
      } else this.processing.set(v.id, left);
    }
    const state = v.appVersionState;
    const attributes = this.legacyStateNames
      ? { platform: 'IOS', versionString: v.versionString, appStoreState: LEGACY[state] ?? state, releaseType: v.releaseType }
      : { platform: 'IOS', versionString: v.versionString, appStoreState: LEGACY[state] ?? state, appVersionState: state, releaseType: v.releaseType };
    return { type: 'appStoreVersions', id: v.id, attributes, relationships: { build: { data: { type: 'builds', id: 'b-200' } } } };
  }

  /** Days pass: an active phased release moves a day on (to 7, then COMPLETE); a paused one uses pause budget (30 days, then COMPLETE). */
  advanceDays(days: number, versionString = '2.0.0'): void {
    const p = this.versions.find((x) => x.versionString === versionString)?.phased;
    if (!p) throw new Error(`no phased release for ${versionString}`);
    for (let d = 0; d < days; d++) {
      if (p.state === 'ACTIVE') p.day += 1;
      if (p.state === 'PAUSED') p.pausedDays = (p.pausedDays ?? 0) + 1;
      if ((p.state === 'ACTIVE' && p.day > 7) || (p.pausedDays ?? 0) >= 30) p.state = 'COMPLETE';
    }
  }

  private phasedResource(v: AscVersion) {
    return { type: 'appStoreVersionPhasedReleases', id: v.phased!.id, attributes: { phasedReleaseState: v.phased!.state, currentDayNumber: v.phased!.day, totalPauseDuration: v.phased!.pausedDays ?? 0 } };
  }
}
