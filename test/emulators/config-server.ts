/**
 * A `/config` endpoint like a team's own: GET the JSON document with an ETag, PUT (or PATCH with
 * a merge patch) guarded by If-Match (412 on a stale one). Can run without ETags, require a
 * bearer token (and know a read-only one: 403 on writes), and let a test play the colleague who
 * edits the document mid-run.
 */
import { TestServer, type Reply, type Request } from './http.js';

type Json = Record<string, unknown>;

/** The seed's `/config` document (versions, maintenance, feature flags), plus a key that is not the tool's. */
export const SEED_DOCUMENT = {
  android: { latest_version: '1.4.2', minimum_version: '1.3.0' },
  ios: { latest_version: '1.4.2', minimum_version: '1.3.0' },
  maintenance_mode: false,
  feature_flags: { enable_new_registration_flow: true, show_revamped_banner: false },
  support_url: 'https://example.com/help',
};

export class ConfigServer {
  readonly server = new TestServer();
  doc: Json;
  version = 1;
  /** Serve and honour ETags (off: the document is written blindly). */
  etags = true;
  /** Required on writes. */
  token: string | undefined;
  /** A token that may read but not write: writes with it get 403, before any If-Match is judged. */
  readOnlyToken: string | undefined;
  /** Called before each write is judged: a colleague can edit here, making our If-Match stale. */
  beforeWrite?: (n: number) => void;
  /** Called after each accepted write. */
  afterWrite?: (n: number, doc: Json) => void;
  readonly history: { at: number; doc: Json }[] = [];
  private writes = 0;

  constructor(initial: Json) {
    this.doc = structuredClone(initial);
    this.history.push({ at: Date.now(), doc: structuredClone(initial) });
    this.server.before = (req) => this.authenticate(req);
    this.server.route('GET', /^\/config$/, () => ({ status: 200, body: this.doc, headers: this.etagHeader() }));
    this.server.route('PUT', /^\/config$/, (req) => this.write(req, (body) => body));
    this.server.route('PATCH', /^\/config$/, (req) => this.write(req, (patch) => applyMergePatch(this.doc, patch)));
  }

  get url(): string {
    return `${this.server.url}/config`;
  }

  start(): Promise<string> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** A colleague changes the document (a new version). */
  edit(change: (doc: Json) => void): void {
    change(this.doc);
    this.version += 1;
    this.history.push({ at: Date.now(), doc: structuredClone(this.doc) });
  }

  private etagHeader(): Record<string, string> {
    return this.etags ? { etag: `"v${this.version}"` } : {};
  }

  /** Apps read `/config` without credentials; only writes need the token. */
  private authenticate(req: Request): Reply | undefined {
    if (req.method === 'GET' || !this.token || req.headers.authorization === `Bearer ${this.token}`) return undefined;
    if (this.readOnlyToken && req.headers.authorization === `Bearer ${this.readOnlyToken}`) return { status: 403, body: { error: 'forbidden: this token may only read' } };
    return { status: 401, body: { error: 'unauthorized' } };
  }

  private write(req: Request, next: (body: Json) => Json): Reply {
    this.writes += 1;
    this.beforeWrite?.(this.writes);
    const ifMatch = req.headers['if-match'];
    if (this.etags && ifMatch !== undefined && ifMatch !== `"v${this.version}"`) return { status: 412, body: { error: 'precondition failed' } };
    this.doc = next(req.body as Json);
    this.version += 1;
    this.history.push({ at: Date.now(), doc: structuredClone(this.doc) });
    this.afterWrite?.(this.writes, this.doc);
    return { status: 200, body: this.doc, headers: this.etagHeader() };
  }
}

function applyMergePatch(target: Json, patch: Json): Json {
  const out: Json = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object') out[k] = applyMergePatch(out[k] as Json, v as Json);
    else out[k] = v;
  }
  return out;
}

/** A CDN in front of the config: answers from its cache until the TTL runs out. Records what it served when. */
export class CachingProxy {
  readonly server = new TestServer();
  private cached: { at: number; body: unknown } | undefined;
  readonly served: { at: number; body: unknown }[] = [];

  constructor(
    private readonly origin: () => string,
    private readonly ttlMs: number,
  ) {
    this.server.route('GET', /^\/config$/, async () => {
      if (!this.cached || Date.now() - this.cached.at >= this.ttlMs) {
        const answer = await fetch(this.origin());
        this.cached = { at: Date.now(), body: await answer.json() };
      }
      this.served.push({ at: Date.now(), body: this.cached.body });
      return { status: 200, body: this.cached.body, headers: { 'cache-control': `max-age=${Math.round(this.ttlMs / 1000)}` } };
    });
  }

  get url(): string {
    return `${this.server.url}/config`;
  }

  /** The cache has just been filled with this document (as the apps' requests keep doing). */
  hold(body: unknown): void {
    this.cached = { at: Date.now(), body };
  }

  start(): Promise<string> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}
