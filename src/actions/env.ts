/** What every action receives besides its inputs: the ports, and facts about the release. */
import type { WallKeys } from '../engine/invariant.js';
import type { ConfigKeys } from '../playbook/release-config.js';
import type { Ports } from '../providers/ports.js';
import type { Platform } from '../providers/stores/port.js';
import type { Action } from '../engine/action.js';
import type * as z from '../util/zod-mini.js';

export interface ReleaseFacts {
  appName: string;
  /** The app version being shipped. */
  version: string;
  /** The backend version `backend/deploy` makes live. */
  backendVersion: string;
  platforms: Platform[];
  keys: ConfigKeys;
  wall: 'maintenance' | 'minimum-version';
  /** `--allow-lower-version`: the captain means to lower a live minimum_version/latest_version. */
  allowLowerVersion: boolean;
}

export interface ActionEnv {
  ports: Ports;
  release: ReleaseFacts;
  /** Rehearsals compress waits the engine does not sleep through itself (a rollout's hold). */
  scaleDelay?: (ms: number) => number;
}

/** An action plus the schema of its `with:` inputs, as the registry lists it (with its meta from action-meta.ts). */
export interface ActionDefinition<S extends z.ZodMiniType = z.ZodMiniType> extends Action<z.output<S>, ActionEnv> {
  input: S;
}

/** What an action module declares: the code and its input schema; what it is (its meta) is in action-meta.ts. */
export type ActionImplementation<S extends z.ZodMiniType = z.ZodMiniType> = Omit<ActionDefinition<S>, 'meta'>;

export function defineAction<S extends z.ZodMiniType>(def: ActionImplementation<S>): ActionImplementation<S> {
  return def;
}

export function wallKeys(release: ReleaseFacts): WallKeys {
  return {
    maintenance: release.keys.maintenance,
    platforms: Object.fromEntries(release.platforms.map((p) => [p, release.keys[p]])),
  };
}
