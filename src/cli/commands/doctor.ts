/** `release doctor`: read-only checks of every provider — what is missing, wrong or not allowed. */
import { Chalk } from 'chalk';
import { checkLiveVersions } from '../../actions/version-checks.js';
import { EXIT_CODES } from '../../errors.js';
import { platformsOf, type ReleaseConfig } from '../../playbook/release-config.js';
import type { HealthCheck } from '../../providers/health-check.js';
import { slackCheck } from '../../providers/notify/slack.js';
import { realPorts } from '../real-adapters.js';
import { secretContext } from '../config-secrets.js';
import type { RunContext } from '../context.js';
import { readOnlyRelease, withReadOnlyEnv } from '../read-only-env.js';
import { postgresOptionsOf } from '../state-store.js';
import { wantsColor, type IO } from '../io.js';
import type { GlobalOptions } from '../program.js';

/** A simulated port checks nothing real: said as such, never as a tick. */
const simulated = (name: string): HealthCheck & { simulated: true } => ({ ok: true, name, detail: 'simulated by the sandbox: nothing real was checked', simulated: true });

async function guarded(name: string, check: () => Promise<HealthCheck[]>): Promise<HealthCheck[]> {
  try {
    return await check();
  } catch (err) {
    return [{ ok: false, name, detail: (err as Error).message }];
  }
}

/**
 * The release against the live config and stores, through the ports a run would get (read-only
 * views; simulated ports read a world seeded from the config, as a rehearsal would start).
 */
async function versionChecks(io: IO, config: ReleaseConfig, context: RunContext): Promise<HealthCheck[]> {
  return withReadOnlyEnv(io, config, context, 'doctor', async (env) => {
    const found = await checkLiveVersions(env, AbortSignal.timeout(120_000));
    if (found.problems.length) return found.problems.map((detail) => ({ ok: false, name: 'versions', detail }));
    const notes = found.notes.length ? `; ${found.notes.join('; ')}` : '';
    return [{ ok: true, name: 'versions', detail: `nothing live is above ${config.app.version}: ${found.compared.join(', ') || 'nothing to compare'}${notes}` }];
  });
}

/** The shared state database, when one is configured: reachable, and where its schema stands. */
async function stateCheck(io: IO, opts: GlobalOptions): Promise<HealthCheck[]> {
  const options = await postgresOptionsOf(io, opts);
  if (!options) return [];
  const { postgresStatus } = await import('../../engine/backends/postgres/backend.js');
  const status = await postgresStatus(options);
  if (status.ahead) return [{ ok: false, name: 'state', detail: `postgres ${status.target}: schema version ${status.version} is newer than this release knows (${status.latest}): upgrade release` }];
  const pending = status.pending.length
    ? `${status.pending.length} migration(s) pending (${status.pending.map((m) => m.version).join(', ')}): applied on first use, or now with \`release state migrate\``
    : 'no migrations pending';
  return [{ ok: true, name: 'state', detail: `postgres ${status.target}: reachable, schema version ${status.version}, ${pending}` }];
}

export async function runDoctor(rawIO: IO, opts: GlobalOptions): Promise<number> {
  const { config, context, io } = readOnlyRelease(rawIO, opts);
  const ports = realPorts(io, config, context);
  const checks: HealthCheck[] = [];
  checks.push(...(await guarded('state', () => stateCheck(io, opts))));
  for (const platform of platformsOf(config)) {
    const store = ports.stores[platform];
    checks.push(...(store ? await guarded(store.storeName, () => store.check()) : [simulated(`${platform} store`)]));
  }
  const config_ = ports.config;
  checks.push(...(config_?.check ? await guarded('remote config', () => config_.check!()) : [simulated('remote config')]));
  const backend = ports.backend;
  checks.push(...(backend?.check ? await guarded('backend', () => backend.check!()) : [simulated('backend')]));
  checks.push(ports.signoff ? { ok: true, name: 'sign-off', detail: 'people decide (prompt or `release signoff`)' } : simulated('sign-off'));
  if (config.notify.slack) checks.push(slackCheck(config.notify.slack.webhook, secretContext(io, context)));
  checks.push(...(await guarded('versions', () => versionChecks(io, config, context))));

  const c = new Chalk({ level: wantsColor(io, 'out') ? 1 : 0 });
  for (const check of checks) {
    if (opts.json) io.out.write(`${JSON.stringify({ type: 'doctor.check', runId: null, ts: new Date().toISOString(), ...check })}\n`);
    else io.out.write(`${'simulated' in check ? c.dim('○') : check.ok ? c.green('✔') : c.red('✖')} ${check.name}: ${check.detail}\n`);
  }
  const failed = checks.filter((ch) => !ch.ok).length;
  const fake = checks.filter((ch) => 'simulated' in ch).map((ch) => ch.name);
  const verdict = failed
    ? `${failed} problem(s): fix them before a real flip.`
    : fake.length && fake.length === checks.length - 1
      ? 'Every port is simulated (sandbox): nothing real was checked. Configure real providers in release.config.yaml for a real flip.'
      : fake.length
        ? `Everything real is reachable; simulated, so not checked: ${fake.join(', ')}.`
        : 'Everything reachable.';
  if (!opts.json) io.err.write(`\n${verdict}\n`);
  return failed ? EXIT_CODES.usage : EXIT_CODES.ok;
}
