import { ActionError } from '../../engine/action.js';
import { RECOVERY_STATUS, type AppRecovery, type AppRecoveryControl, type HealthCheck, type InternalTesting, type Platform, type PublishOptions, type RolloutControl, type RolloutOperation, type RolloutStatus, type StorePort, type StoreRelease } from '../stores/port.js';
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
        manualPublishingSettable: this.platform === 'ios' && !this.call.faulted('manual-publishing-off', this.platform) && store.state !== 'live',
      };
    });
  }

  readInternalTesting(version: string, signal?: AbortSignal): Promise<InternalTesting> {
    return this.call.read(signal, () => ({
      ready: this.store().internalTesting,
      detail: this.platform === 'ios' ? `TestFlight build ${version} is VALID for the internal group` : `the internal track holds ${version}`,
    }));
  }

  liveVersion(signal?: AbortSignal): Promise<string | null> {
    return this.call.read(signal, () => this.store().liveVersion);
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
        // Phased release is the App Store's; Play starts at the fraction the release was submitted with.
        store.rollout = opts.phased && this.platform === 'ios' ? { state: 'staged', fraction: 0.01 } : store.stagedFraction ? { state: 'staged', fraction: store.stagedFraction } : { state: 'complete' };
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

  setManualPublishing(_version: string, signal?: AbortSignal): Promise<void> {
    return this.call.mutate('App Store releaseType update', this.platform, signal, () =>
      this.call.world.update((world) => {
        world.stores[this.platform]!.manualPublishing = true;
        world.effects.push({ op: 'store.release-type', at: new Date().toISOString(), step: this.call.step, platform: this.platform, releaseType: 'MANUAL' });
      }),
    );
  }

  readonly rollout: RolloutControl = {
    read: (_version, signal) => this.call.read(signal, () => rolloutOf(this.platform, this.store().rollout)),
    apply: (version, op, opts) => {
      if (opts.validateOnly) return this.call.read(opts.signal, () => rolloutOf(this.platform, this.store().rollout));
      return this.call.mutate(`${this.storeName} rollout ${op.kind}`, this.platform, opts.signal, () =>
        this.call.world.update((world) => {
          const store = world.stores[this.platform]!;
          if (store.state !== 'live') throw new ActionError(`${this.storeName}: ${version} is not published, so there is no rollout to change`, { retryable: false });
          // As on the App Store: a phased release follows Apple's schedule; no percentage can be set.
          if (op.kind === 'fraction' && this.platform === 'ios') throw new ActionError(`${this.storeName}: a phased release cannot be set to a percentage`, { retryable: false, hint: 'Pause, resume or complete it instead.' });
          store.rollout = nextRollout(store.rollout ?? { state: 'complete' }, op);
          world.effects.push({ op: effectOp(op, this.platform), at: new Date().toISOString(), step: this.call.step, platform: this.platform, version, ...store.rollout });
          return rolloutOf(this.platform, store.rollout);
        }),
      );
    },
  };

  /** Play App Recovery, simulated: the same states and idempotence as the real adapter. */
  get appRecovery(): AppRecoveryControl | undefined {
    if (this.platform !== 'android') return undefined;
    return {
      list: (versionCode, signal) => this.call.read(signal, () => (this.store().recoveries ?? []).filter((r) => r.versions.start <= versionCode && versionCode <= r.versions.end)),
      createDraft: (versions, opts) =>
        this.call.mutate('Play App Recovery create', this.platform, opts.signal, () =>
          this.call.world.update((world) => {
            const store = world.stores.android!;
            const draft: AppRecovery = { id: String(7001 + (store.recoveries ?? []).length), state: 'draft', storeState: RECOVERY_STATUS.draft, versions, createdAt: new Date().toISOString() };
            store.recoveries = [...(store.recoveries ?? []), draft];
            world.effects.push({ op: 'store.recovery', at: new Date().toISOString(), step: this.call.step, platform: 'android', operation: 'create', recoveryId: draft.id, versionCodes: `${versions.start}-${versions.end}` });
            return draft;
          }),
        ),
      deploy: (id, _versions, opts) => this.changeRecovery(id, 'deploy', opts.signal),
      cancel: (id, _versions, opts) => this.changeRecovery(id, 'cancel', opts.signal),
    };
  }

  private changeRecovery(id: string, operation: 'deploy' | 'cancel', signal?: AbortSignal): Promise<void> {
    const wanted = operation === 'deploy' ? 'active' : 'canceled';
    return this.call.mutate(`Play App Recovery ${operation}`, this.platform, signal, () =>
      this.call.world.update((world) => {
        const recovery = (world.stores.android!.recoveries ?? []).find((r) => r.id === id);
        if (!recovery) throw new ActionError(`${this.storeName}: no App Recovery action ${id}`, { retryable: false, hint: 'See `release app-recovery list --sandbox`.' });
        if (recovery.state === wanted) return;
        if (operation === 'deploy' && recovery.state !== 'draft') throw new ActionError(`${this.storeName}: App Recovery ${id} is ${recovery.storeState}; only a draft can be deployed`, { retryable: false });
        recovery.state = wanted;
        recovery.storeState = RECOVERY_STATUS[wanted];
        recovery[operation === 'deploy' ? 'deployedAt' : 'canceledAt'] = new Date().toISOString();
        world.effects.push({ op: 'store.recovery', at: new Date().toISOString(), step: this.call.step, platform: 'android', operation, recoveryId: id });
      }),
    );
  }

  async check(): Promise<HealthCheck[]> {
    return [{ ok: true, name: this.storeName, detail: 'simulated: no credentials needed' }];
  }

  consoleLink(version: string): string {
    return `sandbox://play-console/publishing-overview (${version})`;
  }

  private store() {
    return this.call.world.read().stores[this.platform]!;
  }
}

/** In each store's own words: Play's release status, the App Store's phasedReleaseState. */
const ROLLOUT_WORDS: Record<Platform, Record<RolloutStatus['state'], string>> = {
  android: { 'not-started': 'draft', staged: 'inProgress', halted: 'halted', complete: 'completed' },
  ios: { 'not-started': 'INACTIVE', staged: 'ACTIVE', halted: 'PAUSED', complete: 'COMPLETE' },
};

function rolloutOf(platform: Platform, rollout: { state: RolloutStatus['state']; fraction?: number } | undefined): RolloutStatus {
  const r = rollout ?? { state: 'not-started' as const };
  const words = ROLLOUT_WORDS[platform][r.state];
  return { ...r, detail: r.fraction !== undefined && r.state !== 'complete' ? `${words} ${Math.round(r.fraction * 100)}%` : words };
}

/** The ledger's name for a rollout change: Play halts a release, the App Store pauses a phased one. */
function effectOp(op: RolloutOperation, platform: Platform): string {
  if (op.kind === 'fraction') return 'store.rollout';
  if (op.kind === 'halt') return platform === 'ios' ? 'store.pause' : 'store.halt';
  return `store.${op.kind}`;
}

/** Halting what is halted, or completing what is complete, is already done (as on the real stores). */
function nextRollout(current: { state: RolloutStatus['state']; fraction?: number }, op: RolloutOperation): { state: RolloutStatus['state']; fraction?: number } {
  switch (op.kind) {
    case 'halt':
      return current.state === 'complete' ? { state: 'halted', fraction: 1 } : { ...current, state: 'halted' };
    case 'resume':
      return current.state === 'halted' ? { ...current, state: current.fraction === 1 ? 'complete' : 'staged' } : current;
    case 'complete':
      return { state: 'complete' };
    case 'fraction':
      return { state: 'staged', fraction: op.fraction };
  }
}
