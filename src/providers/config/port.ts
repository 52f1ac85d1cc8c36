/** The remote-config port: a JSON document with a version, written only by compare-and-set. */
import type { JsonObject } from '../../util/json-path.js';

export interface ConfigSnapshot {
  doc: JsonObject;
  /** ETag, template version or content hash; null when the backend offers none. */
  version: string | null;
}

export interface RemoteConfigPort {
  /** Where the config lives, for messages (never includes credentials). */
  readonly describe: string;
  read(signal?: AbortSignal): Promise<ConfigSnapshot>;
  /** Writes `doc` only if the stored version still equals `ifMatch`; else throws VersionMismatchError. */
  write(doc: JsonObject, opts: { ifMatch: string | null; signal?: AbortSignal }): Promise<{ version: string | null }>;
}

export class VersionMismatchError extends Error {
  constructor(message = 'the remote config changed since it was read') {
    super(message);
    this.name = 'VersionMismatchError';
  }
}
