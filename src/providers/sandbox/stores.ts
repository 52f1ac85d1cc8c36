import { ActionError } from '../../engine/action.js';
import type { Platform, PublishOptions, StorePort, StoreRelease } from '../stores/port.js';
import type { CallContext } from './simulate.js';
import { STORE_WORDS } from './world.js';

/**
 * A simulated store. iOS publishes by API (an App Store release request); Android, like Play
 * with managed publishing, needs a human to press "Publish" in the console: in the sandbox the
 * press happens when the tool starts waiting for it, after its gate was approved.
 */
export class SandboxStore implements StorePort {
  readonly storeName: string;
  readonly publishing: 'api' | 'console';

  constructor(
    readonly platform: Platform,
    private readonly call: CallContext,
  ) {
    this.storeName = platform === 'ios' ? 'App Store (sandbox)' : 'Google Play (sandbox)';
    this.publishing = platform === 'ios' ? 'api' : 'console';
  }

  readRelease(version: string, signal?: AbortSignal): Promise<StoreRelease> {
    return this.call.read(signal, () => {
      const store = this.store();
      const matches = store.version === version;
      const rejected = this.call.faulted('review-rejected', this.platform);
      return {
        platform: this.platform,
        version,
        state: rejected ? 'rejected' : matches ? store.state : 'not-submitted',
        storeState: rejected ? STORE_WORDS[this.platform].rejected! : matches ? store.storeState : 'NO_SUCH_VERSION',
        ...(rejected ? { rejectionReason: `Guideline 2.1 - App Completeness (simulated by --sandbox-fail ${this.call.step})` } : {}),
        manualPublishing: store.manualPublishing && !this.call.faulted('manual-publishing-off', this.platform) ? 'on' : 'off',
        internalTesting: {
          ready: store.internalTesting,
          detail: this.platform === 'ios' ? `TestFlight build ${version} is VALID for the internal group` : `internal track holds ${version}`,
        },
      };
    });
  }

  publish(version: string, opts: PublishOptions): Promise<void> {
    const what = this.platform === 'ios' ? 'App Store release request' : 'Play Console "Publish changes"';
    return this.call.mutate(what, this.platform, opts.signal, () =>
      this.call.world.update((world) => {
        const store = world.stores[this.platform]!;
        if (store.version !== version || store.state !== 'approved') {
          throw new ActionError(`${this.storeName}: ${version} is ${store.storeState}, not approved and waiting to publish`, { retryable: false });
        }
        store.state = 'live';
        store.storeState = STORE_WORDS[this.platform].live!;
        store.liveVersion = version;
        if (opts.rollout) store.rollout = opts.rollout;
        world.effects.push({
          op: 'store.publish',
          at: new Date().toISOString(),
          step: this.call.step,
          platform: this.platform,
          version,
          via: this.publishing,
        });
      }),
    );
  }

  consoleLink(version: string): string {
    return `sandbox://play-console/publishing-overview (${version})`;
  }

  private store() {
    return this.call.world.read().stores[this.platform]!;
  }
}
