/** The store adapters as the adapter tests build them against their emulators: fast polls, short timeouts. */
import type { AppStoreConnectConfig, GooglePlayConfig } from '../../src/playbook/release-config.js';
import { AppStoreConnectStore } from '../../src/providers/stores/app-store-connect.js';
import { GooglePlayStore } from '../../src/providers/stores/google-play.js';
import type { AppStoreConnectEmulator } from '../emulators/app-store-connect.js';
import type { GooglePlayEmulator } from '../emulators/google-play.js';

/** `dir` holds the emulator's key as AuthKey.p8. */
export function ascStore(asc: AppStoreConnectEmulator, dir: string, overrides: Partial<AppStoreConnectConfig> = {}, env: NodeJS.ProcessEnv = {}): AppStoreConnectStore {
  const cfg: AppStoreConnectConfig = {
    provider: 'app-store-connect',
    keyId: asc.keyId,
    issuerId: asc.issuerId,
    privateKey: { path: 'AuthKey.p8' },
    apiBase: asc.server.url,
    tokenTtl: '15m',
    pollInterval: '20ms',
    publishTimeout: '10s',
    ...overrides,
  };
  return new AppStoreConnectStore(cfg, { bundleId: asc.app.bundleId }, { baseDir: dir, env });
}

/** `versionCode: null` builds the adapter without one (release lookup by name). */
export function playStore(play: GooglePlayEmulator, dir: string, overrides: Partial<GooglePlayConfig> = {}, opts: { versionCode?: number | null; env?: NodeJS.ProcessEnv } = {}): GooglePlayStore {
  const cfg: GooglePlayConfig = {
    provider: 'google-play',
    credentials: { accessToken: { env: 'PLAY_TOKEN' } },
    track: 'production',
    internalTrack: 'internal',
    apiRoot: `${play.server.url}/`,
    pollInterval: '20ms',
    publishTimeout: '10s',
    ...overrides,
  };
  const versionCode = opts.versionCode === null ? undefined : (opts.versionCode ?? 200);
  return new GooglePlayStore(cfg, { package: play.packageName, versionCode }, { baseDir: dir, env: { PLAY_TOKEN: play.accessToken, ...opts.env } });
}
