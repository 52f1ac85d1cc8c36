/** Facts read off a parsed release config; plain functions, so using them loads no schema. */
import type { Platform, ReleaseConfig } from './release-config.js';

export function platformsOf(config: ReleaseConfig): Platform[] {
  return (['ios', 'android'] as const).filter((p) => config.app[p] !== undefined);
}

export function backendVersionOf(config: ReleaseConfig): string {
  return config.backend.version ?? config.app.version;
}

export function appIdOf(config: ReleaseConfig): string {
  return config.app.id ?? config.app.ios?.bundleId ?? config.app.android?.package ?? config.app.name;
}
