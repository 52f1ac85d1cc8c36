/** `release doctor`: read-only checks of every provider — what is missing, wrong or not allowed. */
import { Chalk } from 'chalk';
import { EXIT_CODES } from '../../errors.js';
import { platformsOf } from '../../playbook/release-config.js';
import type { HealthCheck } from '../../providers/health-check.js';
import { realPorts, redactedIO, redactFor } from '../adapters.js';
import { loadRelease, type RunContext } from '../context.js';
import { wantsColor, type IO } from '../io.js';
import type { GlobalOptions } from '../program.js';

const simulated = (name: string): HealthCheck => ({ ok: true, name, detail: 'sandbox (simulated)' });

async function guarded(name: string, check: () => Promise<HealthCheck[]>): Promise<HealthCheck[]> {
  try {
    return await check();
  } catch (err) {
    return [{ ok: false, name, detail: (err as Error).message }];
  }
}

export async function runDoctor(rawIO: IO, opts: GlobalOptions): Promise<number> {
  const { config, file } = loadRelease(rawIO, opts);
  const context: RunContext = { sandbox: opts.sandbox, configFile: file };
  const io = redactedIO(rawIO, redactFor(rawIO, config, context));
  const ports = realPorts(io, config, context);
  const checks: HealthCheck[] = [];
  for (const platform of platformsOf(config)) {
    const store = ports.stores[platform];
    checks.push(...(store ? await guarded(store.storeName, () => store.check()) : [simulated(`${platform} store`)]));
  }
  const config_ = ports.config;
  checks.push(...(config_?.check ? await guarded('remote config', () => config_.check!()) : [simulated('remote config')]));
  const backend = ports.backend;
  checks.push(...(backend?.check ? await guarded('backend', () => backend.check!()) : [simulated('backend')]));
  checks.push(ports.signoff ? { ok: true, name: 'sign-off', detail: 'people decide (prompt or `release signoff`)' } : simulated('sign-off'));

  const c = new Chalk({ level: wantsColor(io, 'out') ? 1 : 0 });
  for (const check of checks) {
    if (opts.json) io.out.write(`${JSON.stringify({ type: 'doctor.check', runId: null, ts: new Date().toISOString(), ...check })}\n`);
    else io.out.write(`${check.ok ? c.green('✔') : c.red('✖')} ${check.name}: ${check.detail}\n`);
  }
  const failed = checks.filter((ch) => !ch.ok).length;
  if (!opts.json) io.err.write(failed ? `\n${failed} problem(s): fix them before a real flip.\n` : '\nEverything reachable.\n');
  return failed ? EXIT_CODES.usage : EXIT_CODES.ok;
}
