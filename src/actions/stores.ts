/** Store reads the store actions share. */
import { PLATFORM_NAMES, type Platform, type Progress, type StorePort, type StoreRelease } from '../providers/stores/port.js';
import type { ActionEnv } from './env.js';

export function storeFor(env: ActionEnv, platform: Platform): StorePort {
  const store = env.ports.stores[platform];
  if (!store) throw new Error(`no store is configured for ${PLATFORM_NAMES[platform]}`);
  return store;
}

/** `progress` hears why a store makes a read wait (its rate limit), for the step's progress line. */
export async function readReleases(env: ActionEnv, signal: AbortSignal, progress?: Progress): Promise<StoreRelease[]> {
  return Promise.all(env.release.platforms.map((p) => storeFor(env, p).readRelease(env.release.version, signal, progress)));
}

export function describeRelease(r: StoreRelease): string {
  const why = r.rejectionReason ? ` — "${r.rejectionReason}"` : '';
  return `${PLATFORM_NAMES[r.platform]} ${r.version}: ${r.storeState}${why}`;
}

export async function readInternalTesting(env: ActionEnv, signal: AbortSignal): Promise<{ platform: Platform; ready: boolean; detail: string }[]> {
  return Promise.all(
    env.release.platforms.map(async (p) => ({ platform: p, ...(await storeFor(env, p).readInternalTesting(env.release.version, signal)) })),
  );
}
