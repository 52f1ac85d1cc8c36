/**
 * Which adapter serves each port, for one run: `--sandbox` simulates everything; otherwise each
 * section of the release config names its provider, and the sandbox world simulates the rest.
 */
import { dirname } from 'node:path';
import type { ActionEnv } from '../actions/env.js';
import type { ResolvedPlaybook } from '../engine/events.js';
import type { Phase } from '../engine/executor.js';
import { ReleaseError } from '../errors.js';
import { platformsOf, type ReleaseConfig, type SecretRef } from '../playbook/release-config.js';
import { Projection } from '../providers/dry-run.js';
import { Sandbox, type SandboxFault, type SandboxSettings } from '../providers/sandbox/index.js';
import { redactor, secretValues, type SecretContext } from '../providers/secrets.js';
import { realStore } from '../providers/stores/index.js';
import type { Platform, StorePort } from '../providers/stores/port.js';
import { factsOf, type RunContext } from './context.js';
import type { IO } from './io.js';

export interface PortsSource {
  envFor(stepId: string, phase: Phase): ActionEnv;
  /** Rehearsals compress waits: a retry delay becomes the simulated latency. */
  scaleDelay?: (ms: number) => number;
}

const simulated = (provider: string, context: RunContext) => context.sandbox || provider === 'sandbox';

/** The platforms whose store the sandbox simulates. */
export function sandboxPlatforms(config: ReleaseConfig, context: RunContext): Platform[] {
  return platformsOf(config).filter((p) => simulated(config.stores[p].provider, context));
}

/** Does any port of this run need the sandbox world? */
export function needsWorld(config: ReleaseConfig, context: RunContext): boolean {
  const providers = [config.backend.provider, config.remoteConfig.provider, config.signoff.provider];
  return providers.some((p) => simulated(p, context)) || sandboxPlatforms(config, context).length > 0;
}

export function seedWorld(runDir: string, config: ReleaseConfig, context: RunContext, settings: SandboxSettings): void {
  if (needsWorld(config, context)) new Sandbox(runDir, []).seed(config, settings, sandboxPlatforms(config, context));
}

export function secretContext(io: IO, context: RunContext): SecretContext {
  return { baseDir: context.configFile ? dirname(context.configFile) : io.cwd, env: io.env };
}

export function secretRefs(config: ReleaseConfig): SecretRef[] {
  const refs: SecretRef[] = [];
  if (config.stores.ios.provider === 'app-store-connect') refs.push(config.stores.ios.privateKey);
  const android = config.stores.android;
  if (android.provider === 'google-play' && android.credentials) {
    if ('serviceAccountKey' in android.credentials) refs.push(android.credentials.serviceAccountKey);
    if ('accessToken' in android.credentials) refs.push(android.credentials.accessToken);
  }
  return refs;
}

/** Masks every secret the config points at, for the journal and the terminal. */
export function redactFor(io: IO, config: ReleaseConfig, context: RunContext): (text: string) => string {
  return redactor(secretValues(secretRefs(config), secretContext(io, context)));
}

export function redactedIO(io: IO, redact: (text: string) => string): IO {
  return { ...io, out: { write: (t: string) => io.out.write(redact(t)) }, err: { write: (t: string) => io.err.write(redact(t)) } };
}

export function portsFor(
  io: IO,
  run: { dir: string; playbook: ResolvedPlaybook },
  config: ReleaseConfig,
  context: RunContext,
  sandbox: { faults: SandboxFault[]; latencyMs?: number },
): PortsSource {
  const release = factsOf(config);
  const secrets = secretContext(io, context);
  const stores: Partial<Record<Platform, StorePort>> = {};
  for (const platform of platformsOf(config)) {
    const store = simulated(config.stores[platform].provider, context) ? undefined : realStore(platform, config, secrets);
    if (store) stores[platform] = store;
  }
  if (!needsWorld(config, context)) {
    throw new ReleaseError('usage', 'Remote config, backend and sign-off have only sandbox providers so far; configure them as `provider: sandbox`.');
  }
  const world = new Sandbox(run.dir, sandbox.faults, sandbox.latencyMs);
  if (!world.exists()) throw new ReleaseError('error', `the sandbox world of this run is missing: ${world.path}`);
  const latency = sandbox.latencyMs ?? world.read().options.latencyMs;
  const usesOf = new Map(run.playbook.steps.map((s) => [s.id, s.uses]));
  const allSimulated = Object.keys(stores).length === 0;
  return {
    envFor: (stepId, phase) => {
      const sim = world.portsFor(stepId, usesOf.get(stepId) ?? '', phase);
      return { ports: { ...sim, stores: { ...sim.stores, ...stores } }, release };
    },
    // Waits are compressed only when nothing real is involved.
    ...(allSimulated ? { scaleDelay: () => latency } : {}),
  };
}

export function dryRunPorts(source: PortsSource): { envFor: PortsSource['envFor']; project: Projection['project'] } {
  const projection = new Projection();
  return {
    envFor: (stepId, phase) => {
      const env = source.envFor(stepId, phase);
      return { ...env, ports: projection.wrap(env.ports) };
    },
    project: (changes) => projection.project(changes),
  };
}
