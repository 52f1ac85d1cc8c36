/**
 * The remote config as a JSON document at a URL: GET, then PUT (or PATCH with a merge patch).
 * With ETags the write carries If-Match and a 412 means someone wrote meanwhile; without them it
 * falls back to read-verify-write, with a warning. Headers come from the environment (`${NAME}`).
 * https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/If-Match
 */
import type { HttpConfigSection } from '../../playbook/provider-config.js';
import { parseDuration } from '../../util/duration.js';
import type { JsonObject } from '../../util/json-path.js';
import { mergePatch } from '../../util/merge-patch.js';
import { expandHeaders } from '../env-template.js';
import type { HealthCheck } from '../health-check.js';
import { HttpFailure, httpCall, parseJson } from '../http-json.js';
import { assertUnchanged, contentVersion } from './content-version.js';
import { VersionMismatchError, type ConfigSnapshot, type RemoteConfigPort } from './port.js';
import { publicDocument } from './public.js';

const NO_ETAG = 'the config endpoint sends no ETag: writes are read-verify-write, so a colleague writing in the same instant could be overwritten';

/** An entity tag no server ever issued: a write that carries it can only be refused. */
const NEVER_MATCHES = '"release-doctor-write-check"';

export class HttpRemoteConfig implements RemoteConfigPort {
  readonly describe: string;
  readonly public: RemoteConfigPort['public'];
  /** The last document read per version: PATCH bodies are computed against it. */
  private readonly seen = new Map<string, JsonObject>();

  constructor(
    private readonly cfg: HttpConfigSection,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.describe = `the remote config at ${cfg.url}`;
    this.public = publicDocument(cfg.publicUrl, cfg.propagationTimeout);
  }

  async read(signal?: AbortSignal): Promise<ConfigSnapshot> {
    const { doc, text, etag } = await this.fetchDocument(signal);
    const version = etag ? `etag:${etag}` : contentVersion(text);
    this.seen.set(version, doc);
    return { doc, version, ...(etag ? {} : { warning: NO_ETAG }) };
  }

  async write(doc: JsonObject, opts: { ifMatch: string | null; signal?: AbortSignal }): Promise<{ version: string | null }> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...this.headers() };
    let base = opts.ifMatch ? this.seen.get(opts.ifMatch) : undefined;
    if (opts.ifMatch?.startsWith('etag:')) {
      headers['if-match'] = opts.ifMatch.slice('etag:'.length);
    } else {
      const current = await this.fetchDocument(opts.signal);
      assertUnchanged(opts.ifMatch, current.text, this.describe);
      base = current.doc;
    }
    const body = this.cfg.method === 'PATCH' ? mergePatch(base ?? {}, doc) : doc;
    if (this.cfg.method === 'PATCH') headers['content-type'] = 'application/merge-patch+json';
    const answer = await httpCall('config write', this.cfg.writeUrl ?? this.cfg.url, {
      method: this.cfg.method,
      headers,
      body: JSON.stringify(body),
      timeoutMs: parseDuration(this.cfg.timeout),
      signal: opts.signal,
    });
    if (answer.status === 412) throw new VersionMismatchError(`${this.describe} changed since it was read (412 Precondition Failed)`);
    if (answer.status < 200 || answer.status >= 300) throw new HttpFailure(`${this.describe}: ${this.cfg.method}`, answer.status, answer.text.slice(0, 200));
    const etag = answer.headers.get('etag');
    return { version: etag ? `etag:${etag}` : null };
  }

  async check(signal?: AbortSignal): Promise<HealthCheck[]> {
    const checks: HealthCheck[] = [];
    try {
      const snap = await this.read(signal);
      checks.push({ ok: true, name: 'remote config', detail: `${this.cfg.url} answers a JSON document${snap.warning ? ` (warning: ${snap.warning})` : ' with an ETag'}` });
      checks.push(await this.checkWrite(snap, signal));
    } catch (err) {
      checks.push({ ok: false, name: 'remote config', detail: (err as Error).message });
    }
    if (this.public) {
      try {
        await this.public.read(signal);
        checks.push({ ok: true, name: 'public config', detail: `${this.public.url} is readable` });
      } catch (err) {
        checks.push({ ok: false, name: 'public config', detail: (err as Error).message });
      }
    }
    return checks;
  }

  /**
   * May these credentials write? Asked without writing: a write whose If-Match cannot match.
   * 412 means the server got past authorisation to the precondition; 401 or 403 mean a token
   * that reads but may not write. The body is the document just read (an empty merge patch for
   * PATCH), so even a server that ignored If-Match would change nothing.
   */
  private async checkWrite(snap: ConfigSnapshot, signal?: AbortSignal): Promise<HealthCheck> {
    const name = 'config write';
    const url = this.cfg.writeUrl ?? this.cfg.url;
    if (!snap.version?.startsWith('etag:')) return { ok: true, name, detail: 'not checked: without ETags no write can be tried without writing' };
    const patch = this.cfg.method === 'PATCH';
    const answer = await httpCall('config write check', url, {
      method: this.cfg.method,
      headers: { 'content-type': patch ? 'application/merge-patch+json' : 'application/json', ...this.headers(), 'if-match': NEVER_MATCHES },
      body: JSON.stringify(patch ? {} : snap.doc),
      timeoutMs: parseDuration(this.cfg.timeout),
      signal,
    });
    const what = `a ${this.cfg.method} to ${url} with an If-Match that cannot match`;
    if (answer.status === 412) return { ok: true, name, detail: `the credentials may write (${what} got 412; nothing was written)` };
    if (answer.status === 401 || answer.status === 403) {
      return { ok: false, name, detail: `the credentials can read but not write: ${what} got HTTP ${answer.status}${answer.text ? ` — ${answer.text.slice(0, 120)}` : ''}. Give the token write access (remoteConfig.headers).` };
    }
    if (answer.status >= 200 && answer.status < 300) {
      return { ok: false, name, detail: `${what} was accepted (HTTP ${answer.status}): the endpoint ignores If-Match, so a colleague's write could be overwritten (the same document was written back)` };
    }
    return { ok: false, name, detail: `${what} got HTTP ${answer.status}, not 412: cannot tell whether the credentials may write${answer.text ? ` — ${answer.text.slice(0, 120)}` : ''}` };
  }

  private headers(): Record<string, string> {
    return expandHeaders(this.cfg.headers, this.env, 'remoteConfig');
  }

  private async fetchDocument(signal?: AbortSignal): Promise<{ doc: JsonObject; text: string; etag: string | null }> {
    const answer = await httpCall('config read', this.cfg.url, {
      headers: { accept: 'application/json', ...this.headers() },
      timeoutMs: parseDuration(this.cfg.timeout),
      signal,
    });
    if (answer.status !== 200) throw new HttpFailure(`${this.describe}: GET`, answer.status, answer.text.slice(0, 200));
    const doc = parseJson(this.describe, answer.text);
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new HttpFailure(this.describe, answer.status, 'the document is not a JSON object');
    return { doc: doc as JsonObject, text: answer.text, etag: answer.headers.get('etag') };
  }
}
