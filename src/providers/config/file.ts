/** The remote config as a local JSON file (kept in a repo, say): hashed for compare-and-set, written atomically. */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { FileConfigSection } from '../../playbook/provider-config.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import type { JsonObject } from '../../util/json-path.js';
import type { HealthCheck } from '../health-check.js';
import { assertUnchanged, contentVersion } from './content-version.js';
import type { ConfigSnapshot, RemoteConfigPort } from './port.js';
import { publicDocument } from './public.js';

export class FileRemoteConfig implements RemoteConfigPort {
  readonly describe: string;
  readonly public: RemoteConfigPort['public'];
  private readonly path: string;

  constructor(cfg: FileConfigSection, baseDir: string) {
    this.path = isAbsolute(cfg.path) ? cfg.path : resolve(baseDir, cfg.path);
    this.describe = `the config file ${this.path}`;
    this.public = publicDocument(cfg.publicUrl, cfg.propagationTimeout);
  }

  async read(): Promise<ConfigSnapshot> {
    const text = this.text();
    return { doc: this.parse(text), version: contentVersion(text) };
  }

  async write(doc: JsonObject, opts: { ifMatch: string | null }): Promise<{ version: string | null }> {
    assertUnchanged(opts.ifMatch, this.text(), this.describe);
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    writeFileAtomic(this.path, text);
    return { version: contentVersion(text) };
  }

  async check(): Promise<HealthCheck[]> {
    try {
      this.parse(this.text());
      return [{ ok: true, name: 'remote config', detail: `${this.path} holds a JSON object` }];
    } catch (err) {
      return [{ ok: false, name: 'remote config', detail: (err as Error).message }];
    }
  }

  private text(): string {
    try {
      return readFileSync(this.path, 'utf8');
    } catch {
      throw new Error(`${this.describe} cannot be read`);
    }
  }

  private parse(text: string): JsonObject {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new Error(`${this.describe} is not JSON`);
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${this.describe} does not hold a JSON object`);
    return doc as JsonObject;
  }
}
