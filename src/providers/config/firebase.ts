/**
 * Firebase Remote Config through firebase-admin (loaded on first use). The template's ETag is the
 * version: publishing sends If-Match, and a 412 (`remote-config/failed-precondition`) means someone
 * published meanwhile. Our keys are parameter names; their default values are strings in the
 * template, parsed by valueType. Conditional values are never touched.
 * https://firebase.google.com/docs/reference/remote-config/rest/v1/projects/updateRemoteConfig
 */
import type { RemoteConfig, RemoteConfigParameter, RemoteConfigTemplate } from 'firebase-admin/remote-config';
import type { FirebaseConfigSection } from '../../playbook/provider-config.js';
import { jsonEqual, type JsonObject, type JsonValue } from '../../util/json-path.js';
import type { HealthCheck } from '../health-check.js';
import { MissingSecret, resolveSecret, type SecretContext } from '../secrets.js';
import { VersionMismatchError, type ConfigSnapshot, type RemoteConfigPort } from './port.js';
import { publicDocument } from './public.js';

/** Each adapter gets its own firebase-admin app (names must be unique in a process). */
let apps = 0;

export class FirebaseRemoteConfig implements RemoteConfigPort {
  readonly describe: string;
  readonly public: RemoteConfigPort['public'];
  private client: Promise<RemoteConfig> | undefined;
  /** Templates read, by ETag: a publish starts from the template its changes were computed on. */
  private readonly templates = new Map<string, RemoteConfigTemplate>();

  constructor(
    private readonly cfg: FirebaseConfigSection,
    private readonly secrets: SecretContext,
  ) {
    this.describe = `Firebase Remote Config of ${cfg.projectId}`;
    this.public = publicDocument(cfg.publicUrl, cfg.propagationTimeout);
  }

  async read(): Promise<ConfigSnapshot> {
    const template = await this.call('getTemplate', (rc) => rc.getTemplate());
    this.templates.set(template.etag, template);
    return { doc: documentOf(template), version: template.etag };
  }

  async write(doc: JsonObject, opts: { ifMatch: string | null }): Promise<{ version: string | null; detail?: string }> {
    const base = opts.ifMatch ? this.templates.get(opts.ifMatch) : undefined;
    if (!base) throw new VersionMismatchError(`${this.describe}: no template read at ${opts.ifMatch}`);
    // The SDK's own copy keeps the ETag (a getter, which structuredClone would drop).
    const rc = await this.connect();
    const next = rc.createTemplateFromJSON(JSON.stringify(base));
    const current = documentOf(base);
    for (const [name, value] of Object.entries(doc)) {
      if (jsonEqual(current[name], value)) continue;
      const param = findParameter(next, name) ?? (next.parameters[name] = { valueType: valueTypeOf(value) });
      param.defaultValue = { value: stringify(value) };
    }
    for (const name of Object.keys(current)) {
      if (!(name in doc)) removeParameter(next, name);
    }
    const published = await this.call('publishTemplate', (rc) => rc.publishTemplate(next));
    this.templates.set(published.etag, published);
    return { version: published.etag, detail: `template version ${published.version?.versionNumber ?? '?'}` };
  }

  /**
   * Reads the template, then asks Firebase to validate it as a publish would (`validateOnly`):
   * that needs the right to publish, and writes nothing. Credentials that may only read fail here.
   */
  async check(): Promise<HealthCheck[]> {
    let template: RemoteConfigTemplate;
    try {
      template = await this.call('getTemplate', (rc) => rc.getTemplate());
    } catch (err) {
      return [{ ok: false, name: 'remote config', detail: (err as Error).message }];
    }
    const read: HealthCheck = { ok: true, name: 'remote config', detail: `${this.describe}: template version ${template.version?.versionNumber ?? '?'} (${Object.keys(documentOf(template)).length} parameters)` };
    try {
      await this.call('validateTemplate', (rc) => rc.validateTemplate(template));
      return [read, { ok: true, name: 'config write', detail: 'the credentials may publish (the template validated, nothing published)' }];
    } catch (err) {
      const code = ((err as Error).cause as { code?: string } | undefined)?.code;
      const refused = code === 'remote-config/permission-denied' || code === 'remote-config/unauthenticated';
      return [read, { ok: false, name: 'config write', detail: `${refused ? 'the credentials can read but not publish' : 'a publish would fail'}: ${(err as Error).message}` }];
    }
  }

  private async call<T>(what: string, fn: (rc: RemoteConfig) => Promise<T>): Promise<T> {
    const rc = await this.connect();
    try {
      return await fn(rc);
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (code === 'remote-config/failed-precondition') throw new VersionMismatchError(`${this.describe} was published meanwhile (412)`);
      const next =
        code === 'remote-config/unauthenticated' || code === 'remote-config/permission-denied'
          ? ' — check the credentials and that they may edit Remote Config (role "Firebase Remote Config Admin")'
          : code === 'remote-config/not-found'
            ? ` — check remoteConfig.projectId (${this.cfg.projectId})`
            : '';
      throw new Error(`${this.describe}: ${what} failed: ${(err as Error).message}${next}`, { cause: err });
    }
  }

  private connect(): Promise<RemoteConfig> {
    this.client ??= (async () => {
      // firebase-admin reads the endpoint once, when its Remote Config module first loads.
      const base = this.secrets.env.FIREBASE_REMOTE_CONFIG_URL_BASE ?? this.cfg.baseUrl;
      if (base) process.env.FIREBASE_REMOTE_CONFIG_URL_BASE = base;
      const [{ initializeApp, cert, applicationDefault }, { getRemoteConfig }] = await Promise.all([import('firebase-admin/app'), import('firebase-admin/remote-config')]);
      const app = initializeApp({ projectId: this.cfg.projectId, credential: this.credential(cert, applicationDefault) }, `release-${this.cfg.projectId}-${++apps}`);
      return getRemoteConfig(app);
    })();
    return this.client.catch((err) => {
      this.client = undefined;
      throw err;
    });
  }

  private credential(cert: typeof import('firebase-admin/app').cert, applicationDefault: typeof import('firebase-admin/app').applicationDefault) {
    const creds = this.cfg.credentials;
    if (creds && 'accessToken' in creds) {
      const token = resolveSecret(creds.accessToken, this.secrets, 'Firebase access token (remoteConfig.credentials.accessToken)').trim();
      return { getAccessToken: async () => ({ access_token: token, expires_in: 3600 }) };
    }
    if (creds && 'serviceAccountKey' in creds) {
      const text = resolveSecret(creds.serviceAccountKey, this.secrets, 'Firebase service-account key (remoteConfig.credentials.serviceAccountKey)');
      try {
        return cert(JSON.parse(text) as object);
      } catch (err) {
        // JSON.parse quotes the text it could not read: that text is the key.
        const why = err instanceof SyntaxError ? 'it is not JSON' : (err as Error).message;
        throw new MissingSecret(`the Firebase service-account key is not a valid key file: ${why}`);
      }
    }
    return applicationDefault();
  }
}

/** Parameters (top level and in groups) as a flat document of parsed default values. */
function documentOf(template: RemoteConfigTemplate): JsonObject {
  const doc: JsonObject = {};
  const add = (params: Record<string, RemoteConfigParameter>) => {
    for (const [name, param] of Object.entries(params)) {
      const value = param.defaultValue && 'value' in param.defaultValue ? param.defaultValue.value : undefined;
      if (value !== undefined) doc[name] = parse(value, param.valueType);
    }
  };
  add(template.parameters);
  for (const group of Object.values(template.parameterGroups ?? {})) add(group.parameters);
  return doc;
}

function findParameter(template: RemoteConfigTemplate, name: string): RemoteConfigParameter | undefined {
  if (template.parameters[name]) return template.parameters[name];
  for (const group of Object.values(template.parameterGroups ?? {})) if (group.parameters[name]) return group.parameters[name];
  return undefined;
}

function removeParameter(template: RemoteConfigTemplate, name: string): void {
  delete template.parameters[name];
  for (const group of Object.values(template.parameterGroups ?? {})) delete group.parameters[name];
}

function parse(value: string, type: RemoteConfigParameter['valueType']): JsonValue {
  switch (type) {
    case 'BOOLEAN':
      return value === 'true';
    case 'NUMBER':
      return Number(value);
    case 'JSON':
      try {
        return JSON.parse(value) as JsonValue;
      } catch {
        return value;
      }
    default:
      return value;
  }
}

function stringify(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function valueTypeOf(value: JsonValue): RemoteConfigParameter['valueType'] {
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'number') return 'NUMBER';
  if (value !== null && typeof value === 'object') return 'JSON';
  return 'STRING';
}
