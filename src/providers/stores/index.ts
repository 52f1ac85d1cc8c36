/** The real store adapters, by provider name. Their SDKs load on first use, not here. */
import type { ReleaseConfig } from '../../playbook/release-config.js';
import type { SecretContext } from '../secrets.js';
import { AppStoreConnectStore } from './app-store-connect.js';
import { GooglePlayStore } from './google-play.js';
import type { Platform, StorePort } from './port.js';

/** The adapter for a platform whose store is not the sandbox; undefined for a sandbox store. */
export function realStore(platform: Platform, config: ReleaseConfig, secrets: SecretContext): StorePort | undefined {
  if (platform === 'ios') {
    const store = config.stores.ios;
    if (store.provider !== 'app-store-connect' || !config.app.ios) return undefined;
    return new AppStoreConnectStore(store, { bundleId: config.app.ios.bundleId, build: config.app.ios.build }, secrets);
  }
  const store = config.stores.android;
  if (store.provider !== 'google-play' || !config.app.android) return undefined;
  return new GooglePlayStore(store, { package: config.app.android.package, versionCode: config.app.android.versionCode }, secrets);
}
