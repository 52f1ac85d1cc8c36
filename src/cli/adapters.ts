/**
 * Which adapter serves each port, for one run: `--sandbox` simulates everything; otherwise each
 * section of the release config names its provider, and the sandbox world simulates the rest.
 */
import type { ActionEnv } from '../actions/env.js';
import type { ResolvedPlaybook } from '../engine/events.js';
import type { Phase } from '../engine/executor.js';
import { ReleaseError } from '../errors.js';
import { platformsOf, type ReleaseConfig } from '../playbook/release-config.js';
import { Projection } from '../providers/dry-run.js';
import { Sandbox, type SandboxFault, type SandboxSettings } from '../providers/sandbox/index.js';
import type { Platform } from '../providers/stores/port.js';
import type { Ports } from '../providers/ports.js';
import { SandboxMetrics, type SandboxMetricValues } from '../providers/sandbox/metrics.js';
import { factsOf, type PortLabels, type RunContext } from './context.js';
import { redactFor, secretContext } from './config-secrets.js';
import type { IO } from './io.js';
import type { SlackNotifier } from '../providers/notify/slack.js';

export interface PortsSource {
  envFor(stepId: string, phase: Phase): ActionEnv;
  /** Rehearsals compress waits: a retry delay becomes the simulated latency. */
  scaleDelay?: (ms: number) => number;
  /** Every port is simulated: nothing real can be changed, so nothing needs a --yes. */
  simulated: boolean;
}

export const simulated = (provider: string, context: RunContext): boolean => context.sandbox || provider === 'sandbox';

/** The platforms whose store the sandbox simulates. */
export function sandboxPlatforms(config: ReleaseConfig, context: RunContext): Platform[] {
  return platformsOf(config).filter((p) => simulated(config.stores[p].provider, context));
}

export function portLabels(config: ReleaseConfig, context: RunContext): PortLabels {
  const labels: PortLabels = {};
  for (const p of platformsOf(config)) labels[`${p} store`] = simulated(config.stores[p].provider, context) ? 'simulated' : config.stores[p].provider;
  labels.config = simulated(config.remoteConfig.provider, context) ? 'simulated' : config.remoteConfig.provider;
  labels.backend = simulated(config.backend.provider, context) ? 'simulated' : config.backend.provider;
  labels['sign-off'] = simulated(config.signoff.provider, context) ? 'simulated' : config.signoff.provider;
  return labels;
}

/** Does any port of this run need the sandbox world? */
export function needsWorld(config: ReleaseConfig, context: RunContext): boolean {
  const providers = [config.backend.provider, config.remoteConfig.provider, config.signoff.provider];
  return providers.some((p) => simulated(p, context)) || sandboxPlatforms(config, context).length > 0;
}

/** `stagedFraction`: the Play fraction the release was submitted with, when the playbook rolls out in stages. */
export function seedWorld(runDir: string, config: ReleaseConfig, context: RunContext, settings: SandboxSettings, stagedFraction?: number): void {
  const seeded = stagedFraction && !config.sandbox.androidStagedFraction ? { ...config, sandbox: { ...config.sandbox, androidStagedFraction: stagedFraction } } : config;
  if (needsWorld(config, context)) new Sandbox(runDir, []).seed(seeded, settings, sandboxPlatforms(config, context));
}

/** The real adapters' code (real-adapters.ts), as `loadRealAdapters` hands it over. */
export type RealAdapters = typeof import('./real-adapters.js');

/**
 * Loads the real adapters' code for a run that may use one: any run but `--sandbox`, where every
 * port and metric is simulated. Loaded before `portsFor`, which the engine calls synchronously.
 */
export async function loadRealAdapters(context: RunContext): Promise<RealAdapters | undefined> {
  return context.sandbox ? undefined : import('./real-adapters.js');
}

export function portsFor(
  io: IO,
  run: { dir: string; playbook: ResolvedPlaybook },
  config: ReleaseConfig,
  context: RunContext,
  sandbox: { faults: SandboxFault[]; latencyMs?: number; metrics?: SandboxMetricValues; clock?: 'real' | 'compressed' },
  adapters: RealAdapters | undefined,
): PortsSource {
  const release = factsOf(config, context);
  if (!adapters && !context.sandbox) throw new Error('portsFor: the real adapters are not loaded (loadRealAdapters)');
  const real: Partial<Omit<Ports, 'stores'>> & { stores: Ports['stores'] } = adapters ? adapters.realPorts(io, config, context, run.dir) : { stores: {} };
  const sourceMetrics = adapters?.sourceMetrics(io, context);
  const allReal = real.config && real.backend && real.signoff && sandboxPlatforms(config, context).length === 0 && sourceMetrics;
  if (allReal) {
    const ports = { ...real, metrics: sourceMetrics } as Ports;
    return { envFor: () => ({ ports, release }), simulated: false };
  }
  // --sandbox simulates every metric; a sandbox-provider config still reads the gates' real sources.
  const metrics = new SandboxMetrics(sandbox.metrics ?? {}, context.sandbox ? undefined : sourceMetrics);
  const world = new Sandbox(run.dir, sandbox.faults, sandbox.latencyMs);
  if (!world.exists()) throw new ReleaseError('error', `the sandbox world of this run is missing: ${world.path}`);
  const latency = sandbox.latencyMs ?? world.read().options.latencyMs;
  const usesOf = new Map(run.playbook.steps.map((s) => [s.id, s.uses]));
  const nothingReal = !real.config && !real.backend && !real.signoff && Object.keys(real.stores).length === 0;
  // Waits are compressed only when nothing real is involved, and not under --sandbox-clock real.
  const compress = nothingReal && sandbox.clock !== 'real' ? () => latency : undefined;
  return {
    envFor: (stepId, phase) => {
      const sim = world.portsFor(stepId, usesOf.get(stepId) ?? '', phase);
      return {
        ports: { config: real.config ?? sim.config, backend: real.backend ?? sim.backend, signoff: real.signoff ?? sim.signoff, stores: { ...sim.stores, ...real.stores }, metrics },
        release,
        ...(compress ? { scaleDelay: compress } : {}),
      };
    },
    ...(compress ? { scaleDelay: compress } : {}),
    simulated: nothingReal,
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

/** Slack messages, when `notify.slack` is configured (the Slack code is loaded only then). */
export async function notifierFor(io: IO, config: ReleaseConfig, context: RunContext): Promise<SlackNotifier | undefined> {
  const slack = config.notify.slack;
  if (!slack) return undefined;
  const { SlackNotifier, slackWebhook } = await import('../providers/notify/slack.js');
  let url: string;
  try {
    url = slackWebhook(slack.webhook, secretContext(io, context));
  } catch (err) {
    io.err.write(`warning: no Slack messages: ${(err as Error).message}\n`);
    return undefined;
  }
  return new SlackNotifier(url, `${config.app.name} ${config.app.version}`, (m) => io.err.write(`${m}\n`), redactFor(io, config, context));
}
