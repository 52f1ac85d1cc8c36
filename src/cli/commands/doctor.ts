/** `release doctor`: read-only checks of every provider — what is missing, wrong or not allowed. */
import { Chalk } from 'chalk';
import { platformsOf } from '../../playbook/release-config.js';
import { redactedIO, redactFor, secretContext } from '../adapters.js';
import { loadRelease, type RunContext } from '../context.js';
import { EXIT_CODES } from '../../errors.js';
import { realStore } from '../../providers/stores/index.js';
import type { HealthCheck } from '../../providers/stores/port.js';
import { wantsColor, type IO } from '../io.js';
import type { GlobalOptions } from '../program.js';

export async function runDoctor(rawIO: IO, opts: GlobalOptions): Promise<number> {
  const { config, file } = loadRelease(rawIO, opts);
  const context: RunContext = { sandbox: opts.sandbox, configFile: file };
  const io = redactedIO(rawIO, redactFor(rawIO, config, context));
  const secrets = secretContext(io, context);
  const checks: HealthCheck[] = [];
  for (const platform of platformsOf(config)) {
    const store = opts.sandbox ? undefined : realStore(platform, config, secrets);
    checks.push(...(store ? await store.check() : [{ ok: true, name: `${platform} store`, detail: 'sandbox (simulated)' }]));
  }
  for (const [name, provider] of [
    ['remote config', config.remoteConfig.provider],
    ['backend', config.backend.provider],
    ['sign-off', config.signoff.provider],
  ] as const) {
    checks.push({ ok: true, name, detail: provider === 'sandbox' || opts.sandbox ? 'sandbox (simulated)' : provider });
  }

  const c = new Chalk({ level: wantsColor(io, 'out') ? 1 : 0 });
  for (const check of checks) {
    if (opts.json) io.out.write(`${JSON.stringify({ type: 'doctor.check', runId: null, ts: new Date().toISOString(), ...check })}\n`);
    else io.out.write(`${check.ok ? c.green('✔') : c.red('✖')} ${check.name}: ${check.detail}\n`);
  }
  const failed = checks.filter((ch) => !ch.ok).length;
  if (!opts.json) io.err.write(failed ? `\n${failed} problem(s): fix them before a real flip.\n` : '\nEverything reachable.\n');
  return failed ? EXIT_CODES.usage : EXIT_CODES.ok;
}
