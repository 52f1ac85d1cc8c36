/**
 * A local Firebase Remote Config REST API (v1): the template with an ETag on every answer, PUT
 * guarded by If-Match (412 VERSION_MISMATCH on a stale one), validation without publishing
 * (`validate_only`), version numbers counting up, and bearer tokens: one that may publish, one
 * that may only read (403 PERMISSION_DENIED on any PUT, validation included, as Google answers a
 * viewer). firebase-admin is pointed here through FIREBASE_REMOTE_CONFIG_URL_BASE.
 * Shapes: ../shared/notes/store-apis.md §C.
 */
import { TestServer, type Reply, type Request } from './http.js';

export interface Parameter {
  defaultValue?: { value: string } | { useInAppDefault: true };
  conditionalValues?: Record<string, { value: string }>;
  valueType?: 'STRING' | 'BOOLEAN' | 'NUMBER' | 'JSON';
  description?: string;
}

export interface Template {
  conditions: { name: string; expression: string }[];
  parameters: Record<string, Parameter>;
  parameterGroups: Record<string, { parameters: Record<string, Parameter> }>;
  version: { versionNumber: string; updateTime: string; updateOrigin: string; updateType: string };
}

export class FirebaseRemoteConfigEmulator {
  readonly server = new TestServer();
  readonly projectId = 'example-shop';
  readonly token = 'firebase-test-token';
  readonly readOnlyToken = 'firebase-viewer-token';
  template: Template;
  versionNumber = 1;
  readonly published: Template[] = [];
  beforePublish?: (n: number) => void;

  constructor(parameters: Record<string, Parameter>) {
    this.template = this.fresh(parameters);
    const path = new RegExp(`^/v1/projects/${this.projectId}/remoteConfig$`);
    this.server.before = (req) => this.authenticate(req);
    this.server.route('GET', path, () => ({ status: 200, body: this.template, headers: { etag: this.etag() } }));
    this.server.route('PUT', path, (req) => this.publish(req));
  }

  start(): Promise<string> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Back to a first template: firebase-admin fixes its endpoint once per process, so tests share one emulator. */
  reset(parameters: Record<string, Parameter>): void {
    this.versionNumber = 1;
    this.published.length = 0;
    this.beforePublish = undefined;
    this.template = this.fresh(parameters);
  }

  private fresh(parameters: Record<string, Parameter>): Template {
    return {
      conditions: [{ name: 'beta_testers', expression: "app.userProperty['beta'] == 'true'" }],
      parameters: structuredClone(parameters),
      parameterGroups: {},
      version: this.versionInfo('CONSOLE'),
    };
  }

  etag(): string {
    return `etag-${this.projectId}-${this.versionNumber}`;
  }

  /** A colleague publishes from the Console. */
  edit(change: (t: Template) => void): void {
    change(this.template);
    this.versionNumber += 1;
    this.template.version = this.versionInfo('CONSOLE');
  }

  private versionInfo(origin: string) {
    return { versionNumber: String(this.versionNumber), updateTime: new Date().toISOString(), updateOrigin: origin, updateType: 'INCREMENTAL_UPDATE' };
  }

  private authenticate(req: Request): Reply | undefined {
    if (req.headers.authorization === `Bearer ${this.token}`) return undefined;
    if (req.headers.authorization === `Bearer ${this.readOnlyToken}`) {
      if (req.method === 'GET') return undefined;
      return { status: 403, body: { error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' } } };
    }
    return { status: 401, body: { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } } };
  }

  private publish(req: Request): Reply {
    this.beforePublish?.(this.published.length + 1);
    const ifMatch = req.headers['if-match'];
    if (ifMatch !== '*' && ifMatch !== this.etag()) {
      return { status: 412, body: { error: { code: 412, message: '[VERSION_MISMATCH] Expected version ' + this.etag(), status: 'FAILED_PRECONDITION' } } };
    }
    const body = req.body as Template;
    if (req.query.get('validate_only') === 'true') return { status: 200, body: { ...body, version: this.template.version }, headers: { etag: `${this.etag()}-0` } };
    this.versionNumber += 1;
    this.template = { conditions: body.conditions ?? [], parameters: body.parameters ?? {}, parameterGroups: body.parameterGroups ?? {}, version: this.versionInfo('ADMIN_SDK_NODE') };
    this.published.push(structuredClone(this.template));
    return { status: 200, body: this.template, headers: { etag: this.etag() } };
  }
}
