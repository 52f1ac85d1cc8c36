/**
 * The store port: one per platform. States are normalised (`approved`, `live`...) and carry the
 * store's own words (`PENDING_DEVELOPER_RELEASE`, `RELEASE_LIFECYCLE_STATE_PUBLISHED`) for messages.
 */
export type Platform = 'ios' | 'android';

export type ReviewState = 'not-submitted' | 'in-review' | 'approved' | 'live' | 'rejected' | 'unknown';

export interface StoreRelease {
  platform: Platform;
  version: string;
  state: ReviewState;
  /** The store's own name for the state. */
  storeState: string;
  /** `unverifiable`: the store's API cannot show it (Play managed publishing); a human attests. */
  manualPublishing: 'on' | 'off' | 'unverifiable';
  rejectionReason?: string;
  internalTesting: { ready: boolean; detail: string };
}

export interface PublishOptions {
  signal?: AbortSignal;
  progress?: (message: string) => void;
  /** Staged/phased rollout: Play user fraction (0 < f < 1), App Store phased release. */
  rollout?: { fraction?: number; phased?: boolean };
}

export interface StorePort {
  readonly platform: Platform;
  readonly storeName: string;
  /**
   * `api`: `publish` releases the version. `console`: no API can press "Publish" (Play managed
   * publishing); a human presses it, then `publish` waits until the store shows it live.
   */
  readonly publishing: 'api' | 'console';
  readRelease(version: string, signal?: AbortSignal): Promise<StoreRelease>;
  publish(version: string, opts: PublishOptions): Promise<void>;
  /** Where a human presses Publish (console stores). */
  consoleLink?(version: string): string;
}

export const PLATFORM_NAMES: Record<Platform, string> = { ios: 'iOS', android: 'Android' };
