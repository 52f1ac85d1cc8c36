/**
 * The sandbox: every port, simulated over one world file. `portsFor(step, phase)` binds the
 * ports to a step so `--sandbox-fail <step>` can make exactly that step's calls fail (never its
 * undo: a rehearsal of a failure must still show a clean rollback).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Phase } from '../../engine/executor.js';
import type { ReleaseConfig } from '../../playbook/release-config.js';
import { platformsOf } from '../../playbook/release-config.js';
import semver from '../../util/semver.js';
import { setPath, type JsonObject } from '../../util/json-path.js';
import type { Ports } from '../ports.js';
import { RECOVERY_STATUS, type AppRecovery, type Platform } from '../stores/port.js';
import { parseVersionCodes } from '../../util/version-codes.js';
import { SandboxBackend } from './backend.js';
import { SandboxConfig } from './config.js';
import { CallContext, type FaultMode, type SandboxFault } from './simulate.js';
import { SandboxSignoff } from './signoff.js';
import { SandboxStore } from './stores.js';
import { STORE_WORDS, WorldFile, type SandboxWorld } from './world.js';

export type { SandboxFault } from './simulate.js';

export const SANDBOX_FILE = 'sandbox.json';

export interface SandboxSettings {
  latencyMs: number;
  gates: 'auto' | 'manual';
}

/** What the seed fixed for the whole run: read once, not at every step's ports. */
interface WorldShape {
  latencyMs: number;
  gates: SandboxSettings['gates'];
  platforms: Platform[];
}

export class Sandbox {
  private readonly world: WorldFile;
  private shape: WorldShape | undefined;

  constructor(
    runDir: string,
    private readonly faults: SandboxFault[],
    private readonly latencyOverride?: number,
  ) {
    this.world = new WorldFile(join(runDir, SANDBOX_FILE));
  }

  get path(): string {
    return this.world.path;
  }

  exists(): boolean {
    return existsSync(this.world.path);
  }

  /** Creates the world for a new run from the release config. */
  seed(release: ReleaseConfig, settings: SandboxSettings, storePlatforms = platformsOf(release)): void {
    this.world.write(seedWorld(release, settings, storePlatforms));
    this.shape = undefined;
  }

  read(): SandboxWorld {
    return this.world.read();
  }

  /** `uses` picks how a fault shows (see FaultMode); faults hit `run` only, never undo or verify. */
  portsFor(step: string, uses: string, phase: Phase): Omit<Ports, 'metrics'> {
    const shape = this.worldShape();
    const latency = this.latencyOverride ?? shape.latencyMs;
    const fault = phase === 'run' ? this.faults.find((f) => f.step === step) : undefined;
    const call = new CallContext(this.world, step, latency, fault && { ...fault, mode: FAULT_MODES[uses] ?? 'call-fails' });
    const stores: Ports['stores'] = {};
    for (const platform of shape.platforms) stores[platform] = new SandboxStore(platform, call);
    return {
      config: new SandboxConfig(call),
      backend: new SandboxBackend(call),
      stores,
      signoff: new SandboxSignoff(call, shape.gates, shape.platforms),
    };
  }

  /** Settings and stores never change after the seed; the calls read the rest of the world afresh. */
  private worldShape(): WorldShape {
    if (!this.shape) {
      const world = this.world.read();
      this.shape = { latencyMs: world.options.latencyMs, gates: world.options.gates, platforms: Object.keys(world.stores) as Platform[] };
    }
    return this.shape;
  }
}

const FAULT_MODES: Record<string, FaultMode> = {
  'store/verify-manual-publishing': 'manual-publishing-off',
  'store/wait-for-approval': 'review-rejected',
  'backend/check-api': 'api-down',
  'signoff/internal': 'testers-reject',
};

function seedWorld(release: ReleaseConfig, settings: SandboxSettings, storePlatforms: Platform[]): SandboxWorld {
  const live = release.sandbox.liveVersion ?? previousVersion(release.app.version);
  const keys = release.remoteConfig.keys;
  let config: JsonObject = release.sandbox.config ?? {};
  if (!release.sandbox.config) {
    for (const platform of platformsOf(release)) {
      config = setPath(config, keys[platform].latest, live);
      config = setPath(config, keys[platform].minimum, live);
    }
    config = setPath(config, keys.maintenance, false);
    config = setPath(config, keys.featureFlags, {});
  }
  const stores: SandboxWorld['stores'] = {};
  for (const platform of storePlatforms) {
    stores[platform] = {
      version: release.app.version,
      liveVersion: live,
      state: 'approved',
      storeState: STORE_WORDS[platform].approved!,
      manualPublishing: true,
      internalTesting: true,
      ...(platform === 'android' && release.sandbox.androidStagedFraction ? { stagedFraction: release.sandbox.androidStagedFraction } : {}),
      ...(platform === 'android' && release.sandbox.appRecoveries.length ? { recoveries: release.sandbox.appRecoveries.map(seededRecovery) } : {}),
    };
  }
  const backendFrom = release.sandbox.backendVersion ?? live;
  return {
    schema: 1,
    options: settings,
    app: { name: release.app.name, liveVersion: live, newVersion: release.app.version },
    config,
    configVersion: 1,
    initialConfig: config,
    backend: { version: backendFrom, apis: Object.fromEntries(release.sandbox.apis.map((a) => [a, true])) },
    initialBackendVersion: backendFrom,
    stores,
    effects: [],
  };
}

function seededRecovery(r: ReleaseConfig['sandbox']['appRecoveries'][number]): AppRecovery {
  return { id: r.id, state: r.state, storeState: RECOVERY_STATUS[r.state], versions: parseVersionCodes(r.versions)! };
}

/** A plausible version live before this one, for worlds seeded from a config without one. */
function previousVersion(version: string): string {
  const v = semver.parse(version)!;
  if (v.patch > 0) return `${v.major}.${v.minor}.${v.patch - 1}`;
  if (v.minor > 0) return `${v.major}.${v.minor - 1}.0`;
  return `${Math.max(0, v.major - 1)}.9.0`;
}
