import { VersionMismatchError, type ConfigSnapshot, type RemoteConfigPort } from '../config/port.js';
import type { JsonObject } from '../../util/json-path.js';
import type { CallContext } from './simulate.js';

/** The simulated remote config: a document with an ETag-like version, compare-and-set writes. */
export class SandboxConfig implements RemoteConfigPort {
  readonly describe = 'the sandbox remote config';

  constructor(private readonly call: CallContext) {}

  read(signal?: AbortSignal): Promise<ConfigSnapshot> {
    return this.call.read(signal, () => {
      const world = this.call.world.read();
      return { doc: world.config, version: etag(world.configVersion) };
    });
  }

  write(doc: JsonObject, opts: { ifMatch: string | null; signal?: AbortSignal }): Promise<{ version: string | null }> {
    return this.call.mutate('remote config write', undefined, opts.signal, () =>
      this.call.world.update((world) => {
        if (opts.ifMatch !== null && opts.ifMatch !== etag(world.configVersion)) throw new VersionMismatchError();
        world.config = doc;
        world.configVersion += 1;
        world.effects.push({ op: 'config.write', at: new Date().toISOString(), step: this.call.step, version: etag(world.configVersion), config: doc });
        return { version: etag(world.configVersion) };
      }),
    );
  }
}

const etag = (n: number) => `"cfg-${n}"`;
