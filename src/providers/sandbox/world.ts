/**
 * The sandbox's whole world in one JSON file (`sandbox.json` in the run's directory): the remote
 * config, the backend, both stores, and `effects`, a ledger of every mutating call in order.
 * Each call's state change and its ledger entry are one atomic write, so a killed run resumes
 * against exactly the world it left.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../util/atomic-write.js';
import type { JsonObject } from '../../util/json-path.js';
import type { AppRecovery, Platform, ReviewState } from '../stores/port.js';

export interface SandboxStore {
  version: string;
  liveVersion: string;
  state: ReviewState;
  storeState: string;
  /** iOS releaseType MANUAL / Play managed publishing. */
  manualPublishing: boolean;
  internalTesting: boolean;
  /** Play: the staged fraction the release was submitted with (it starts there once published). */
  stagedFraction?: number;
  rollout?: { state: 'not-started' | 'staged' | 'halted' | 'complete'; fraction?: number };
  /** Play App Recovery actions (Android), seeded from `sandbox.appRecoveries`. */
  recoveries?: AppRecovery[];
}

export type SandboxEffect = { op: string; at: string; step: string } & JsonObject;

export interface SandboxWorld {
  schema: 1;
  /** Rehearsal settings kept with the world so `resume` replays them. */
  options: { latencyMs: number; gates: 'auto' | 'manual' };
  app: { name: string; liveVersion: string; newVersion: string };
  config: JsonObject;
  configVersion: number;
  initialConfig: JsonObject;
  backend: { version: string; apis: Record<string, boolean> };
  initialBackendVersion: string;
  stores: Partial<Record<Platform, SandboxStore>>;
  effects: SandboxEffect[];
}

export const STORE_WORDS: Record<Platform, Partial<Record<ReviewState, string>>> = {
  ios: {
    'in-review': 'IN_REVIEW',
    approved: 'PENDING_DEVELOPER_RELEASE',
    live: 'READY_FOR_DISTRIBUTION',
    rejected: 'REJECTED',
  },
  android: {
    'in-review': 'RELEASE_LIFECYCLE_STATE_IN_REVIEW',
    approved: 'RELEASE_LIFECYCLE_STATE_APPROVED_NOT_PUBLISHED',
    live: 'RELEASE_LIFECYCLE_STATE_PUBLISHED',
    rejected: 'RELEASE_LIFECYCLE_STATE_NOT_APPROVED',
  },
};

export class WorldFile {
  constructor(readonly path: string) {}

  read(): SandboxWorld {
    return JSON.parse(readFileSync(this.path, 'utf8')) as SandboxWorld;
  }

  write(world: SandboxWorld): void {
    // Whole after a kill -9 (what the crash rehearsals need); a power cut may lose a simulated write.
    writeFileAtomic(this.path, JSON.stringify(world, null, 2) + '\n', undefined, { durable: false });
  }

  /** Read-modify-write in one atomic step; returns what `change` returns. */
  update<T>(change: (world: SandboxWorld) => T): T {
    const world = this.read();
    const result = change(world);
    this.write(world);
    return result;
  }
}
