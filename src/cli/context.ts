/**
 * The composition root: the only place that decides which adapters serve the ports (the sandbox
 * or real ones), where state lives, and how the engine is wired to the terminal.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { actionFor } from '../actions/registry.js';
import type { ActionEnv, ReleaseFacts } from '../actions/env.js';
import type { Identity } from '../engine/events.js';
import { currentProcess } from '../engine/owner.js';
import type { EngineDeps, EngineOptions } from '../engine/executor.js';
import type { RunState } from '../engine/state.js';
import { ReleaseError, usageError } from '../errors.js';
import { CONFIG_TEMPLATE } from '../playbook/config-template.js';
import {
  appIdOf,
  backendVersionOf,
  findConfigFile,
  loadReleaseConfig,
  parseReleaseConfig,
  platformsOf,
  ReleaseConfigSchema,
  type ReleaseConfig,
} from '../playbook/release-config.js';
import type { SandboxFault } from '../providers/sandbox/index.js';
import type { SandboxMetricValues } from '../providers/sandbox/metrics.js';
import type { JsonObject } from '../util/json-path.js';
import { parseDuration } from '../util/duration.js';
import type { GlobalOptions, SandboxFlags } from './program.js';
import { canPrompt, type IO } from './io.js';

export interface LoadedRelease {
  config: ReleaseConfig;
  /** Absolute path, or null for the built-in example app. */
  file: string | null;
}

/** What run.created records so `resume` rebuilds the same world, on any machine. */
export interface RunContext {
  /** `--sandbox`: every port simulated, whatever the config says. */
  sandbox: boolean;
  configFile: string | null;
  /** `--allow-lower-version` on flip: journaled with the run, so every later step (and resume) keeps it. */
  allowLowerVersion?: boolean;
}

/** Who acts, for locks and the journal: RELEASE_ACTOR, CI's actor, or the OS user. */
export function identity(env: NodeJS.ProcessEnv = process.env): Identity {
  let who = env.RELEASE_ACTOR ?? env.GITHUB_ACTOR ?? env.GITLAB_USER_LOGIN ?? env.USER ?? 'unknown';
  if (!env.RELEASE_ACTOR && !env.GITHUB_ACTOR && !env.GITLAB_USER_LOGIN) {
    try {
      who = userInfo().username;
    } catch {
      // no passwd entry (containers): keep $USER
    }
  }
  return { who, ...currentProcess() };
}

export function loadRelease(io: IO, globals: GlobalOptions): LoadedRelease {
  if (globals.config) {
    const file = resolve(io.cwd, globals.config);
    return { config: loadReleaseConfig(file), file };
  }
  const found = findConfigFile(io.cwd);
  if (found) return { config: loadReleaseConfig(found), file: found };
  if (globals.sandbox) {
    const result = parseReleaseConfig('<built-in example>', CONFIG_TEMPLATE);
    if (!result.ok) throw new Error('the built-in example config is invalid');
    return { config: result.config, file: null };
  }
  throw usageError(
    `No release.config.yaml in ${io.cwd} or above.`,
    'Rehearse first with `release flip --sandbox` (no config needed), or write one with `release init`.',
  );
}

export function factsOf(config: ReleaseConfig, context: Pick<RunContext, 'allowLowerVersion'> = {}): ReleaseFacts {
  return {
    appName: config.app.name,
    version: config.app.version,
    backendVersion: backendVersionOf(config),
    platforms: platformsOf(config),
    keys: config.remoteConfig.keys,
    wall: config.app.wall,
    allowLowerVersion: context.allowLowerVersion === true,
  };
}

/** Which adapter serves each port: a provider name when real, `simulated` when the sandbox does. */
export type PortLabels = Record<string, string>;

/** "sandbox" only when everything is simulated; a mixed run says which parts are real. */
export function describePorts(labels: PortLabels): string {
  const entries = Object.entries(labels);
  const real = entries.filter(([, v]) => v !== 'simulated');
  if (!real.length) return 'sandbox: every port simulated';
  if (real.length === entries.length) return `real: ${entries.map(([k, v]) => `${k} ${v}`).join(', ')}`;
  const fake = entries.filter(([, v]) => v === 'simulated').map(([k]) => k);
  return `REAL: ${real.map(([k, v]) => `${k} ${v}`).join(', ')}; simulated: ${fake.join(', ')}`;
}

export function releaseRecord(config: ReleaseConfig, ports: PortLabels): JsonObject {
  return {
    summary: `${config.app.name} ${config.app.version}, backend ${backendVersionOf(config)} (${describePorts(ports)})`,
    app: appIdOf(config),
    ports,
    config: config as unknown as JsonObject,
  };
}

/** The lock a run holds: the app's, or for damage control its own beside it (see README). */
export function lockKeyOf(context: JsonObject, config: ReleaseConfig): string {
  return typeof context.lockKey === 'string' ? context.lockKey : appIdOf(config);
}

export function damageControlLock(config: ReleaseConfig): string {
  return `${appIdOf(config)}#damage-control`;
}

/** The release config a run was created with (journaled), so resume never depends on files moving. */
export function recordedRelease(state: Pick<RunState, 'runId' | 'release'>): ReleaseConfig {
  const parsed = ReleaseConfigSchema.safeParse(state.release.config);
  if (!parsed.success) throw new ReleaseError('error', `run ${state.runId} has an unreadable release config in its journal`);
  return parsed.data;
}

export interface ParsedSandboxFlags {
  faults: SandboxFault[];
  /** `--sandbox-fail none` on resume: rehearse the fix, dropping the faults the run recorded. */
  clearFaults?: boolean;
  latencyMs?: number;
  gates?: 'auto' | 'manual';
  /** `--sandbox-metric name=value`: what every gate of that metric reads (null: no data). */
  metrics: SandboxMetricValues;
  /** `--sandbox-clock real`: holds and polls take their real time instead of being compressed. */
  clock?: 'real' | 'compressed';
}

/** The rehearsal settings a run keeps (run.created, or run.resumed when given again). */
export function sandboxRecord(flags: ParsedSandboxFlags): JsonObject {
  return {
    faults: flags.faults as unknown as JsonObject[],
    ...(flags.latencyMs !== undefined ? { latencyMs: flags.latencyMs } : {}),
    ...(Object.keys(flags.metrics).length ? { metrics: flags.metrics } : {}),
    ...(flags.clock ? { clock: flags.clock } : {}),
  };
}

/** Flags given now win; otherwise the run's recorded ones, so a resumed rehearsal keeps its fault. */
export function effectiveSandboxFlags(given: ParsedSandboxFlags, recorded: JsonObject | undefined): ParsedSandboxFlags {
  const recordedFaults = Array.isArray(recorded?.faults) ? (recorded.faults as unknown as SandboxFault[]) : [];
  const latencyMs = given.latencyMs ?? (typeof recorded?.latencyMs === 'number' ? recorded.latencyMs : undefined);
  // A metric given again replaces its recorded value; the others keep theirs.
  const metrics = { ...(isObject(recorded?.metrics) ? (recorded.metrics as SandboxMetricValues) : {}), ...given.metrics };
  const clock = given.clock ?? (recorded?.clock === 'real' || recorded?.clock === 'compressed' ? recorded.clock : undefined);
  return {
    ...given,
    faults: given.faults.length || given.clearFaults ? given.faults : recordedFaults,
    metrics,
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(clock ? { clock } : {}),
  };
}

export function parseSandboxFlags(flags: SandboxFlags, stepIds: string[]): ParsedSandboxFlags {
  const clearFaults = flags.sandboxFail.includes('none');
  if (clearFaults && flags.sandboxFail.length > 1) throw usageError('--sandbox-fail none clears the faults: give it alone');
  const faults = flags.sandboxFail.filter((spec) => spec !== 'none').map((spec) => {
    const [step, platform, extra] = spec.split(':');
    if (!step || extra !== undefined || (platform !== undefined && platform !== 'ios' && platform !== 'android')) {
      throw usageError(`--sandbox-fail ${spec}: write <step-id> or <step-id>:ios|android`);
    }
    if (!stepIds.includes(step)) throw usageError(`--sandbox-fail ${spec}: no step "${step}" in this playbook (steps: ${stepIds.join(', ')})`);
    return platform ? { step, platform: platform as 'ios' | 'android' } : { step };
  });
  let latencyMs: number | undefined;
  if (flags.sandboxLatency !== undefined) {
    try {
      latencyMs = parseDuration(flags.sandboxLatency);
    } catch (err) {
      throw usageError(`--sandbox-latency: ${(err as Error).message}`);
    }
  }
  return { faults, latencyMs, gates: flags.sandboxGates, metrics: parseSandboxMetrics(flags.sandboxMetric ?? []), ...(flags.sandboxClock ? { clock: flags.sandboxClock } : {}), ...(clearFaults ? { clearFaults } : {}) };
}

/** Did any rehearsal flag come with this command (so it applies only to sandbox runs, and is recorded)? */
export function hasRehearsalFlags(flags: ParsedSandboxFlags): boolean {
  return flags.faults.length > 0 || flags.clearFaults === true || flags.latencyMs !== undefined || flags.gates !== undefined || Object.keys(flags.metrics).length > 0 || flags.clock !== undefined;
}

export function parseSandboxMetrics(specs: string[]): SandboxMetricValues {
  const values: SandboxMetricValues = {};
  for (const spec of specs) {
    const match = /^([\w.-]+)=(.+)$/.exec(spec);
    const value = match && (match[2] === 'none' ? null : Number(match[2]));
    if (!match || (value !== null && !Number.isFinite(value))) throw usageError(`--sandbox-metric ${spec}: write <metric>=<number>, or <metric>=none for no data (e.g. crash_free_sessions=99.8)`);
    values[match[1]!] = value;
  }
  return values;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The commands printed in hints; they carry --state-dir when the user had to give one. */
export function commandsFor(globals: GlobalOptions): EngineDeps<ActionEnv>['commands'] {
  const stateDir = globals.stateDir ? ` --state-dir ${shellQuote(globals.stateDir)}` : '';
  return {
    resume: (runId) => `release resume ${runId}${stateDir}`,
    signoff: (runId, gate) => `release signoff ${runId} --gate ${gate} --approve --by <name>${stateDir}`,
    rollback: (runId) => `release rollback ${runId}${stateDir}`,
    repair: (runId) => `release repair ${runId}${stateDir}`,
  };
}

/** Parsed before anything is locked or written, so a bad flag leaves no trace. */
export function engineOptions(globals: GlobalOptions, extra: { until?: string; wait?: string }): EngineOptions {
  let gateWaitMs: number | undefined;
  if (extra.wait !== undefined) {
    try {
      gateWaitMs = parseDuration(extra.wait);
    } catch (err) {
      throw usageError(`--wait: ${(err as Error).message}`);
    }
  }
  return { until: extra.until, yes: globals.yes, gateWaitMs };
}

export function promptAllowed(io: IO, globals: GlobalOptions): boolean {
  return canPrompt(io, !globals.input);
}

export const engineAction: EngineDeps<ActionEnv>['action'] = actionFor;

function shellQuote(text: string): string {
  return /^[\w./@:-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
