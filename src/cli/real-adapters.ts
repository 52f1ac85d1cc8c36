/**
 * The real adapters: each port's provider as the release config names it, the metric sources of
 * the rollout gates and Slack. Loaded (by adapters.ts, notifierFor) only for a run that may use
 * one; a `--sandbox` run never loads this module nor any of the providers below.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { platformsOf, type ReleaseConfig } from '../playbook/release-config.js';
import type { Ports } from '../providers/ports.js';
import { realStore } from '../providers/stores/index.js';
import { HttpRemoteConfig } from '../providers/config/http.js';
import { FirebaseRemoteConfig } from '../providers/config/firebase.js';
import { FileRemoteConfig } from '../providers/config/file.js';
import { CommandRemoteConfig } from '../providers/config/command.js';
import { DeployedBackend } from '../providers/backend/deployed-backend.js';
import { HealthReader } from '../providers/backend/health.js';
import { commandTrigger, webhookTrigger } from '../providers/backend/triggers.js';
import { HumanSignoff } from '../providers/signoff/human.js';
import { SourceMetrics } from '../providers/metrics/index.js';
import { simulated } from './adapters.js';
import type { RunContext } from './context.js';
import { redactFor, secretContext } from './config-secrets.js';
import type { IO } from './io.js';

/** The real adapters this config names (none under --sandbox); the sandbox fills in the rest. */
export function realPorts(io: IO, config: ReleaseConfig, context: RunContext, runDir?: string): Partial<Omit<Ports, 'stores'>> & { stores: Ports['stores'] } {
  const secrets = secretContext(io, context);
  const commands = { baseDir: secrets.baseDir, env: io.env, logDir: join(runDir ?? join(tmpdir(), 'release-doctor'), 'logs'), redact: redactFor(io, config, context) };
  const ports: Partial<Omit<Ports, 'stores'>> & { stores: Ports['stores'] } = { stores: {} };
  for (const platform of platformsOf(config)) {
    const store = simulated(config.stores[platform].provider, context) ? undefined : realStore(platform, config, secrets);
    if (store) ports.stores[platform] = store;
  }
  if (context.sandbox) return ports;
  const rc = config.remoteConfig;
  if (rc.provider === 'http') ports.config = new HttpRemoteConfig(rc, io.env);
  if (rc.provider === 'firebase') ports.config = new FirebaseRemoteConfig(rc, secrets);
  if (rc.provider === 'file') ports.config = new FileRemoteConfig(rc, secrets.baseDir);
  if (rc.provider === 'command') ports.config = new CommandRemoteConfig(rc, secrets.baseDir, io.env);
  const be = config.backend;
  if (be.provider === 'command' || be.provider === 'webhook') {
    const trigger = be.provider === 'command' ? commandTrigger(be, commands) : webhookTrigger(be, io.env);
    const deployTimeout = be.provider === 'command' ? be.deploy.timeout : undefined;
    ports.backend = new DeployedBackend({ ...be, deployTimeout }, trigger, new HealthReader(be.health, secrets.baseDir, io.env));
  }
  if (config.signoff.provider === 'human') ports.signoff = new HumanSignoff(config.signoff, commands);
  return ports;
}

/** The gates' metric sources (Prometheus, Sentry, HTTP JSON, a command). */
export function sourceMetrics(io: IO, context: RunContext): SourceMetrics {
  return new SourceMetrics({ baseDir: secretContext(io, context).baseDir, env: io.env });
}
