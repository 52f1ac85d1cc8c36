import type { BackendPort, DeployOptions, DeployRequest } from '../backend/port.js';
import type { CallContext } from './simulate.js';

/** The simulated backend: a served version that deploy and rollback replace. */
export class SandboxBackend implements BackendPort {
  readonly describe = 'the sandbox backend';

  constructor(private readonly call: CallContext) {}

  servedVersion(signal?: AbortSignal): Promise<string | null> {
    return this.call.read(signal, () => this.call.world.read().backend.version);
  }

  deploy(req: DeployRequest, opts: DeployOptions = {}): Promise<void> {
    return this.replace('backend.deploy', req, opts.signal);
  }

  rollback(req: DeployRequest, opts: DeployOptions = {}): Promise<void> {
    return this.replace('backend.rollback', req, opts.signal);
  }

  checkApi(name: string, signal?: AbortSignal): Promise<{ healthy: boolean; detail: string }> {
    return this.call.read(signal, () => {
      if (this.call.faulted('api-down')) return { healthy: false, detail: `${name} answers 503 (simulated by --sandbox-fail ${this.call.step})` };
      const healthy = this.call.world.read().backend.apis[name] === true;
      return { healthy, detail: healthy ? `${name} answers 200` : `${name} does not answer` };
    });
  }

  private replace(op: 'backend.deploy' | 'backend.rollback', req: DeployRequest, signal?: AbortSignal): Promise<void> {
    return this.call.mutate(op === 'backend.deploy' ? 'backend deploy' : 'backend rollback', undefined, signal, () =>
      this.call.world.update((world) => {
        const from = world.backend.version;
        world.backend.version = req.toVersion;
        world.effects.push({ op, at: new Date().toISOString(), step: this.call.step, from, to: req.toVersion });
      }),
    );
  }
}
