/**
 * The store port: one per platform. States are normalised (`approved`, `live`...) and carry the
 * store's own words (`PENDING_DEVELOPER_RELEASE`, `RELEASE_LIFECYCLE_STATE_PUBLISHED`) for messages.
 */
export type Platform = 'ios' | 'android';

/** `releasing`: the release was requested and cannot be taken back, but is not live yet. */
export type ReviewState = 'not-submitted' | 'in-review' | 'approved' | 'releasing' | 'live' | 'rejected' | 'unknown';

export interface StoreRelease {
  platform: Platform;
  version: string;
  state: ReviewState;
  /** The store's own name for the state. */
  storeState: string;
  /** `unverifiable`: the store's API cannot show it (Play managed publishing); a human attests. */
  manualPublishing: 'on' | 'off' | 'unverifiable';
  /** Manual publishing can still be switched on through the API (App Store: version still editable). */
  manualPublishingSettable?: boolean;
  rejectionReason?: string;
}

/** Can internal testers get the version (TestFlight build valid for an internal group; Play internal track)? */
export interface InternalTesting {
  ready: boolean;
  detail: string;
}

export interface PublishOptions {
  signal?: AbortSignal;
  progress?: Progress;
  /** App Store phased release (7 days). Play's staged fraction is set on the release itself. */
  phased?: boolean;
}

/** Staged rollout (Play) / phased release (App Store), after publishing. */
export type RolloutOperation = { kind: 'halt' } | { kind: 'resume' } | { kind: 'complete' } | { kind: 'fraction'; fraction: number };

export interface RolloutStatus {
  /** `staged`: rolling out to part of the users; `halted`: stopped (Play halted, App Store paused). */
  state: 'not-started' | 'staged' | 'halted' | 'complete';
  fraction?: number;
  /** The store's own words, e.g. "inProgress 20%" or "PAUSED (day 3)". */
  detail: string;
}

export interface RolloutControl {
  read(version: string, signal?: AbortSignal, progress?: Progress): Promise<RolloutStatus>;
  /** Idempotent: asking for the state it is already in succeeds. `validateOnly` changes nothing (dry runs). */
  apply(version: string, op: RolloutOperation, opts: { signal?: AbortSignal; validateOnly?: boolean; progress?: Progress }): Promise<RolloutStatus>;
}

/**
 * Play App Recovery: a remote in-app update that makes users of a bad version code update, even
 * when the app has no force-update wall of its own. Android only; Play's states, normalised.
 * https://developers.google.com/android-publisher/api-ref/rest/v3/apprecovery
 */
export interface VersionCodeRange {
  start: number;
  end: number;
}

export interface AppRecovery {
  id: string;
  /** `draft`: created, reaches nobody yet; `active`: deployed; `canceled`: for good (Play cannot resume one). */
  state: 'draft' | 'active' | 'canceled' | 'generating' | 'failed' | 'unknown';
  /** Play's own word, e.g. RECOVERY_STATUS_DRAFT. */
  storeState: string;
  /** The version codes it targets (a list is shown as its lowest..highest). */
  versions: VersionCodeRange;
  createdAt?: string;
  deployedAt?: string;
  canceledAt?: string;
  /** Devices recovered so far, of those targeted (Play's counts, summed over bundles). */
  recovered?: { devices: number; of: number };
}

/** Play's word for each state (RecoveryStatus: https://developers.google.com/android-publisher/api-ref/rest/v3/RecoveryStatus). */
export const RECOVERY_STATUS: Record<Exclude<AppRecovery['state'], 'unknown'>, string> = {
  draft: 'RECOVERY_STATUS_DRAFT',
  active: 'RECOVERY_STATUS_ACTIVE',
  canceled: 'RECOVERY_STATUS_CANCELED',
  generating: 'RECOVERY_STATUS_GENERATION_IN_PROGRESS',
  failed: 'RECOVERY_STATUS_GENERATION_FAILED',
};

export interface AppRecoveryControl {
  /** Play lists the actions targeting one version code (there is no read by id). */
  list(versionCode: number, signal?: AbortSignal, progress?: Progress): Promise<AppRecovery[]>;
  /** A DRAFT that reaches nobody until `deploy`. */
  createDraft(versions: VersionCodeRange, opts: { signal?: AbortSignal; progress?: Progress }): Promise<AppRecovery>;
  /** DRAFT -> ACTIVE: every targeted user is asked to update. Idempotent (active already: done). */
  deploy(id: string, versions: VersionCodeRange, opts: { signal?: AbortSignal; progress?: Progress }): Promise<void>;
  /** Stops it for users not yet recovered; those who updated stay updated. Idempotent. */
  cancel(id: string, versions: VersionCodeRange, opts: { signal?: AbortSignal; progress?: Progress }): Promise<void>;
}

/** Where an adapter says why it waits (a rate limit, a retry): the step's progress line. */
export type Progress = (message: string) => void;

export type { HealthCheck } from '../health-check.js';
import type { HealthCheck } from '../health-check.js';

export interface StorePort {
  readonly platform: Platform;
  readonly storeName: string;
  /**
   * `api`: `publish` releases the version. `console`: no API can press "Publish" (Play managed
   * publishing); a human presses it, then `publish` waits until the store shows it live.
   */
  readonly publishing: 'api' | 'console';
  /** The configured first delay between checks while waiting on this store (`pollInterval`). */
  readonly pollIntervalMs?: number;
  readRelease(version: string, signal?: AbortSignal, progress?: Progress): Promise<StoreRelease>;
  readInternalTesting(version: string, signal?: AbortSignal, progress?: Progress): Promise<InternalTesting>;
  /** The version users get from the store now (the highest live one); null when none is live or none can be read. */
  liveVersion?(signal?: AbortSignal, progress?: Progress): Promise<string | null>;
  publish(version: string, opts: PublishOptions): Promise<void>;
  /** Where a human presses Publish (console stores). */
  consoleLink?(version: string): string;
  /** Switches manual publishing on (App Store releaseType MANUAL) while the version is editable. */
  setManualPublishing?(version: string, signal?: AbortSignal, progress?: Progress): Promise<void>;
  readonly rollout?: RolloutControl;
  /** Google Play only. */
  readonly appRecovery?: AppRecoveryControl;
  /** Read-only checks for `release doctor`: credentials, reachability, permissions. */
  check(signal?: AbortSignal): Promise<HealthCheck[]>;
}

export const PLATFORM_NAMES: Record<Platform, string> = { ios: 'iOS', android: 'Android' };
