/**
 * Read-only ports for dry runs. Reads return the world as the steps planned so far would leave
 * it; every mutating call throws, so a dry run provably changes nothing.
 */
import type { Change } from '../engine/action.js';
import { withChanges, type KeyChange } from './config/compare-and-set.js';
import type { Ports } from './ports.js';
import type { AppRecoveryControl, Platform, ReviewState, RolloutControl } from './stores/port.js';

export class DryRunViolation extends Error {
  constructor(call: string) {
    super(`dry run: ${call} would change the world; a plan must not call it`);
    this.name = 'DryRunViolation';
  }
}

export class Projection {
  private readonly configChanges: KeyChange[] = [];
  private backendVersion: string | undefined;
  private readonly storeStates: Partial<Record<Platform, ReviewState>> = {};

  /** Applies one step's planned changes, for the steps after it. */
  project(changes: Change[]): void {
    for (const change of changes) {
      if (change.target === 'config') this.configChanges.push({ path: change.path, before: change.before, after: change.after });
      else if (change.target === 'backend') this.backendVersion = change.after;
      else if (change.target === 'store') this.storeStates[change.platform as Platform] = change.after as ReviewState;
    }
  }

  wrap(ports: Ports): Ports {
    const stores: Ports['stores'] = {};
    for (const [platform, store] of Object.entries(ports.stores) as [Platform, NonNullable<Ports['stores'][Platform]>][]) {
      stores[platform] = {
        platform: store.platform,
        storeName: store.storeName,
        publishing: store.publishing,
        consoleLink: store.consoleLink?.bind(store),
        readRelease: async (version, signal) => {
          const release = await store.readRelease(version, signal);
          const projected = this.storeStates[platform];
          return projected ? { ...release, state: projected, storeState: `${projected} (projected)` } : release;
        },
        publish: () => Promise.reject(new DryRunViolation(`${store.storeName} publish`)),
        readInternalTesting: (version, signal) => store.readInternalTesting(version, signal),
        ...(store.liveVersion ? { liveVersion: store.liveVersion.bind(store) } : {}),
        check: (signal) => store.check(signal),
        ...(store.rollout ? { rollout: readOnlyRollout(store.rollout, store.storeName) } : {}),
        ...(store.appRecovery ? { appRecovery: readOnlyRecovery(store.appRecovery, store.storeName) } : {}),
      };
    }
    return {
      config: {
        describe: ports.config.describe,
        ...(ports.config.public ? { public: ports.config.public } : {}),
        read: async (signal) => {
          const snap = await ports.config.read(signal);
          return { doc: withChanges(snap.doc, this.configChanges), version: snap.version };
        },
        write: () => Promise.reject(new DryRunViolation('remote config write')),
      },
      backend: {
        describe: ports.backend.describe,
        servedVersion: async (signal) => this.backendVersion ?? ports.backend.servedVersion(signal),
        deploy: () => Promise.reject(new DryRunViolation('backend deploy')),
        rollback: () => Promise.reject(new DryRunViolation('backend rollback')),
        checkApi: (name, signal) => ports.backend.checkApi(name, signal),
        ...(ports.backend.settle ? { settle: ports.backend.settle.bind(ports.backend) } : {}),
      },
      stores,
      signoff: { autoDecide: () => Promise.reject(new DryRunViolation('sign-off')) },
      // Reading a metric changes nothing (a command source is the user's read-only query).
      metrics: ports.metrics,
    };
  }
}

/** Rollout reads pass through; a change is only validated (Play: edits.validate, never commit). */
function readOnlyRollout(rollout: RolloutControl, storeName: string): RolloutControl {
  return {
    read: (version, signal) => rollout.read(version, signal),
    apply: (version, op, opts) => {
      if (!opts.validateOnly) return Promise.reject(new DryRunViolation(`${storeName} rollout ${op.kind}`));
      return rollout.apply(version, op, opts);
    },
  };
}

/** App Recovery lists pass through; create, deploy and cancel are refused. */
function readOnlyRecovery(recovery: AppRecoveryControl, storeName: string): AppRecoveryControl {
  return {
    list: (versionCode, signal) => recovery.list(versionCode, signal),
    createDraft: () => Promise.reject(new DryRunViolation(`${storeName} App Recovery create`)),
    deploy: () => Promise.reject(new DryRunViolation(`${storeName} App Recovery deploy`)),
    cancel: () => Promise.reject(new DryRunViolation(`${storeName} App Recovery cancel`)),
  };
}
