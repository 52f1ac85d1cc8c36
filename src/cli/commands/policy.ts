/**
 * `release policy`: the forced-upgrade policy (seed 001 §1-§3) from the release history and the
 * `policy:` section — the compatibility window, the forced-upgrade surface, the earliest date an
 * old API may go, and today's minimum_version. Read-only; `--apply` raises the floor through a
 * journaled run of the built-in `min-version` playbook (the path `release min-version` takes).
 */
import semver from 'semver';
import { usageError } from '../../errors.js';
import { candidateFloors, holdBack, type AdoptionDecision } from '../../policy/adoption.js';
import { readAdoption } from '../../policy/adoption-source.js';
import { decisionRecord, days } from '../../policy/decision-record.js';
import { configHistory, journalHistory, sandboxHistory } from '../../policy/history.js';
import { evaluatePolicy, type PolicyOutcome, type PolicySettings } from '../../policy/policy.js';
import { PLATFORM_NAMES, type Platform } from '../../providers/stores/port.js';
import { getPath, type JsonObject } from '../../util/json-path.js';
import { liveVersionOf } from '../../util/versions.js';
import { parseSandboxMetrics } from '../context.js';
import { openRunStore } from '../state-store.js';
import type { IO } from '../io.js';
import type { GlobalOptions, SandboxFlags } from '../program.js';
import { readOnlyRelease, withReadOnlyEnv } from '../read-only-env.js';
import { runFlip } from './flip.js';

export interface PolicyOptions extends GlobalOptions, SandboxFlags {
  apply: boolean;
  markdown: boolean;
  replacedBy?: string;
  reason?: string;
  dryRun: boolean;
  by?: string;
}

export async function runPolicy(rawIO: IO, opts: PolicyOptions): Promise<number> {
  const { config, file, context, io } = readOnlyRelease(rawIO, opts);
  if (opts.replacedBy && semver.valid(opts.replacedBy) !== opts.replacedBy) throw usageError(`--replaced-by ${opts.replacedBy}: a semantic version such as 2.0.0`);
  const now = new Date();
  const settings: PolicySettings = { forcedUpgradeWindowMs: config.policy.forcedUpgradeWindow, maxReviewLatencyMs: config.policy.maxReviewLatency, adoptionTailMs: config.policy.adoptionTail };
  const history = opts.sandbox ? sandboxHistory(config, now) : [...configHistory(config), ...(await journalHistory(await openRunStore(io, opts, file)))];

  // What is live now: each store's version (the floor's ceiling), the remote config (the floor in force, the flags), and adoption.
  const world = await withReadOnlyEnv(io, config, context, 'policy', async (env) => {
    const live: Partial<Record<Platform, string | null>> = {};
    for (const p of env.release.platforms) live[p] = (await env.ports.stores[p]?.liveVersion?.()) ?? undefined;
    const doc = (await env.ports.config.read()).doc;
    const minimum = Object.fromEntries(env.release.platforms.map((p) => [p, liveVersionOf(getPath(doc, env.release.keys[p].minimum)) ?? null])) as Record<Platform, string | null>;
    const flags = getPath(doc, env.release.keys.featureFlags);
    const flagNames = flags && typeof flags === 'object' && !Array.isArray(flags) ? Object.keys(flags as JsonObject) : [];
    const outcome = evaluatePolicy({ history, settings, platforms: Object.keys(minimum) as Platform[], now, live, replacedBy: opts.replacedBy ?? config.app.version });
    // Adoption data, when configured, holds the time-based floor back while the tail is large.
    const adoptionConfig = config.policy.adoption;
    let adoption: AdoptionDecision | undefined;
    if (adoptionConfig && outcome.minimumVersion) {
      const current = Object.values(minimum).filter((v): v is string => v !== null).sort(semver.compare)[0];
      const candidates = candidateFloors(history.map((r) => r.version), outcome.minimumVersion, current);
      const readings = await readAdoption(env.ports.metrics, adoptionConfig, candidates);
      adoption = holdBack({ proposed: outcome.minimumVersion, ...(current ? { current } : {}), maxShareBelow: adoptionConfig.maxShareBelow, readings });
    }
    return { live, minimum, flags: flagNames, outcome, adoption };
  }, parseSandboxMetrics(opts.sandboxMetric ?? []));

  const { outcome, adoption } = world;
  const floor = adoption ? adoption.floor : outcome.minimumVersion;
  const below = (Object.entries(world.minimum) as [Platform, string | null][]).filter(([, v]) => floor && (!v || semver.lt(v, floor))).map(([p]) => p);

  if (opts.json) io.out.write(`${JSON.stringify({ type: 'policy', runId: null, ts: now.toISOString(), ...outcome, settings, currentMinimum: world.minimum, live: world.live, ...(adoption ? { adoption } : {}), floorToApply: floor ?? null, toRaise: below })}\n`);
  else if (opts.markdown) io.out.write(decisionRecord(outcome, settings, { app: config.app.name, flags: world.flags, ...(adoption ? { adoption } : {}) }));
  else io.out.write(summary(outcome, settings, world.minimum, history.length, adoption));

  if (!opts.apply) return 0;
  if (!floor) throw usageError('policy --apply: no version of the history is inside the forced-upgrade window, so there is no floor to apply.', 'List past releases under policy.history in release.config.yaml.');
  if (!below.length) {
    io.err.write(`minimum_version is already ${floor} or above on every platform: nothing to apply${adoption?.held ? ` (${adoption.reason})` : ''}.\n`);
    return 0;
  }
  return runFlip(io, {
    ...opts,
    playbook: 'min-version',
    var: [`version=${floor}`, `platform=${below.length === Object.keys(world.minimum).length ? 'both' : below[0]}`, `reason=${opts.reason ?? `forced-upgrade policy: clients older than ${days(settings.forcedUpgradeWindowMs)} must upgrade`}`],
    attest: [],
    allowLowerVersion: false,
    alongside: true,
  });
}

function summary(o: PolicyOutcome, s: PolicySettings, current: Record<Platform, string | null>, entries: number, adoption: AdoptionDecision | undefined): string {
  const lines = [
    `Backward-compatibility window: ${days(o.compatibilityWindowMs)} (forced-upgrade window ${days(s.forcedUpgradeWindowMs)} + review latency ${days(s.maxReviewLatencyMs)} + adoption tail ${days(s.adoptionTailMs)})`,
    `Forced-upgrade surface (released since ${o.windowStart.slice(0, 10)}, from ${entries} history entries):`,
    ...o.platforms.map((p) => `  ${PLATFORM_NAMES[p.platform]}: ${p.surface.length} version(s)${p.surface.length ? `: ${p.surface.map((r) => r.version).join(', ')}` : ''}`),
    `An API that ${o.removal.version} no longer calls may be removed on ${o.removal.earliest.slice(0, 10)} at the earliest${o.removal.assumed ? ` (${o.removal.version} is not in the history: counted from today)` : ''}`,
    `minimum_version the policy asks for today: ${o.minimumVersion ?? 'none (no version inside the window)'}${o.capped ? ` (${o.capped})` : ''}; now ${(Object.entries(current) as [Platform, string | null][]).map(([p, v]) => `${PLATFORM_NAMES[p]} ${v ?? 'unset'}`).join(', ')}`,
    ...(adoption ? [`Adoption: ${adoption.reason}; the floor to apply: ${adoption.floor ?? 'none'}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}
