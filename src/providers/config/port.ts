/** The remote-config port: a JSON document with a version, written only by compare-and-set. */
import type { JsonObject } from '../../util/json-path.js';
import type { HealthCheck } from '../health-check.js';

export interface ConfigSnapshot {
  doc: JsonObject;
  /** ETag, template version or content hash; null when the backend offers none. */
  version: string | null;
  /** Something a person should know about how safely this config can be written. */
  warning?: string;
}

export interface RemoteConfigPort {
  /** Where the config lives, for messages (never includes credentials). */
  readonly describe: string;
  read(signal?: AbortSignal): Promise<ConfigSnapshot>;
  /**
   * Writes `doc` only if the stored version still equals `ifMatch`; else throws VersionMismatchError.
   * `detail` is worth journaling (a Firebase template version number).
   */
  write(doc: JsonObject, opts: { ifMatch: string | null; signal?: AbortSignal }): Promise<{ version: string | null; detail?: string }>;
  /** The document as the apps see it (a CDN in front?), for the propagation barrier. */
  readonly public?: { url: string; timeoutMs: number; read(signal?: AbortSignal): Promise<JsonObject> };
  /** Read-only checks for `release doctor`. */
  check?(signal?: AbortSignal): Promise<HealthCheck[]>;
}

export class VersionMismatchError extends Error {
  constructor(message = 'the remote config changed since it was read') {
    super(message);
    this.name = 'VersionMismatchError';
  }
}
