/** `release flip [playbook]` (and `release plan`): start a run, or a dry run. */
import { dirname } from 'node:path';
import { actionCatalog, actionFor } from '../../actions/registry.js';
import { planRun } from '../../engine/planner.js';
import { newRunId } from '../../engine/runs.js';
import { RunSession } from '../../engine/session.js';
import { summarize } from '../../engine/timeline.js';
import { usageError } from '../../errors.js';
import { loadPlaybook, resolvePlaybook } from '../../playbook/load.js';
import { locatePlaybook } from '../../playbook/locate.js';
import { appIdOf, backendVersionOf, type ReleaseConfig } from '../../playbook/release-config.js';
import { firstFractionOf } from '../../actions/rollout-schedules.js';
import { formatProblem } from '../../playbook/yaml-source.js';
import { dryRunPorts, loadRealAdapters, needsWorld, notifierFor, portLabels, portsFor, seedWorld } from '../adapters.js';
import { checkAttestable } from '../attest.js';
import { flipAlongside } from '../alongside.js';
import { redactedIO, redactFor } from '../config-secrets.js';
import { commandsFor, damageControlLock, engineOptions, hasRehearsalFlags, identity, parseSandboxFlags, releaseRecord, sandboxRecord, type RunContext } from '../context.js';
import { openRunStore } from '../state-store.js';
import { drive } from '../drive.js';
import { exitCodeOf } from '../exit.js';
import type { IO } from '../io.js';
import type { GlobalOptions, SandboxFlags } from '../program.js';
import { loadRelease } from '../release-source.js';
import { createRunView } from '../views/run-view.js';

export interface FlipOptions extends GlobalOptions, SandboxFlags {
  playbook: string;
  dryRun: boolean;
  until?: string;
  var: string[];
  wait?: string;
  attest: string[];
  allowLowerVersion: boolean;
  /** Damage control: a lock of its own beside the app's, and the app's flip respected (alongside.ts). */
  alongside?: boolean;
  /** Who acts, for the journal (default: RELEASE_ACTOR, the CI actor, or the user). */
  by?: string;
}

export async function runFlip(rawIO: IO, opts: FlipOptions): Promise<number> {
  const { config: configured, file: configFile } = loadRelease(rawIO, opts);
  let config = configured;
  const context: RunContext = { sandbox: opts.sandbox, configFile, ...(opts.allowLowerVersion ? { allowLowerVersion: true } : {}) };
  const redact = redactFor(rawIO, config, context);
  const io = redactedIO(rawIO, redact);
  const projectDir = configFile ? dirname(configFile) : io.cwd;

  // Every flag and input is checked here, before any lock or journal write.
  const playbookFile = locatePlaybook(opts.playbook, io.cwd, projectDir);
  const loaded = loadPlaybook(playbookFile, actionCatalog);
  if (!loaded.ok) throw usageError(`Playbook ${playbookFile} is invalid; nothing was run.`, undefined, loaded.problems.map(formatProblem));
  const resolved = resolvePlaybook(
    loaded.loaded,
    actionCatalog,
    {
      release: { version: config.app.version, backendVersion: backendVersionOf(config) },
      app: { name: config.app.name, version: config.app.version, wall: config.app.wall },
    },
    parseInputs(opts.var),
  );
  if (!resolved.ok) throw usageError(`Playbook ${playbookFile} cannot run with these inputs; nothing was run.`, undefined, resolved.problems.map(formatProblem));
  const playbook = resolved.playbook;
  // A playbook that ships its own version (a hotfix) runs as a release of that version, start to end.
  if (resolved.version) config = withAppVersion(config, resolved.version);
  const stepIds = playbook.steps.map((s) => s.id);
  if (opts.until && !stepIds.includes(opts.until)) throw usageError(`--until ${opts.until}: no such step (steps: ${stepIds.join(', ')})`);

  const flags = parseSandboxFlags(opts, stepIds);
  checkAttestable(opts.attest ?? []);
  if (hasRehearsalFlags(flags) && !needsWorld(config, context)) throw usageError('--sandbox-* flags only apply to sandbox runs: add --sandbox.');
  const options = engineOptions(opts, opts);

  // Loaded before the run takes its lock: nothing after that point may fail outside the session.
  const adapters = await loadRealAdapters(context);
  const notifier = await notifierFor(io, config, context);
  const store = await openRunStore(io, opts, configFile, redact);
  const beside = opts.alongside ? await flipAlongside(store, config) : undefined;
  if (beside?.note) io.err.write(`note: ${beside.note}\n`);
  if (opts.alongside) options.assumeBackendLive = async () => (await flipAlongside(store, config)).backendLive;
  const lockKey = opts.alongside ? damageControlLock(config) : appIdOf(config);
  const by = { ...identity(), ...(opts.by ? { who: opts.by } : {}) };
  const view = await createRunView(io, { json: opts.json });
  const commands = commandsFor(opts);
  const session = await RunSession.start(
    { store, app: lockKey, by, operation: `flip ${playbook.name}`, commands, emit: (e) => view.event(e) },
    {
      runId: newRunId(),
      prepare: (run) => seedWorld(run.dir, config, context, { latencyMs: flags.latencyMs ?? 0, gates: flags.gates ?? 'auto' }, firstFractionOf(playbook)),
      created: {
        playbook,
        release: releaseRecord(config, portLabels(config, context)),
        context: { ...context, ...(needsWorld(config, context) ? { sandboxFlags: sandboxRecord(flags) } : {}), ...(opts.alongside ? { lockKey } : {}) },
        dryRun: opts.dryRun,
        by,
      },
      attest: opts.attest ?? [],
    },
  );
  const run = session.run;
  const source = () => portsFor(io, { dir: run.dir, playbook }, config, context, flags, adapters);

  if (opts.dryRun) {
    const dry = dryRunPorts(source());
    const outcome = await planRun({ run, action: actionFor, envFor: dry.envFor, emit: (e) => view.event(e), project: dry.project, assumeBackendLive: beside?.backendLive === true });
    view.close();
    view.outcome(outcome, summarize(await session.events(), (uses) => actionFor(uses).meta.effect));
    return exitCodeOf(outcome.exit);
  }
  return drive({ io, globals: opts, session, source, view, options, notifier });
}

/** The build numbers in the config belong to its own version, so they go with it. */
function withAppVersion(config: ReleaseConfig, version: string): ReleaseConfig {
  const { ios, android, ...app } = config.app;
  return {
    ...config,
    app: { ...app, version, ...(ios ? { ios: { bundleId: ios.bundleId, ...(ios.appId ? { appId: ios.appId } : {}) } } : {}), ...(android ? { android: { package: android.package } } : {}) },
  };
}

function parseInputs(pairs: string[]): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`--var ${pair}: write --var name=value`);
    inputs[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return inputs;
}
