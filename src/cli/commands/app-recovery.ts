/**
 * `release app-recovery create|deploy|cancel|list`: Play App Recovery. The three changes are runs
 * of the built-in `app-recovery` playbook through the flip path, so they get a flip's guarantees
 * (lock, journal, dry run, --json, who and why, resume, `release rollback`); `list` only reads.
 */
import { Chalk } from 'chalk';
import { usageError } from '../../errors.js';
import type { AppRecovery } from '../../providers/stores/port.js';
import { formatVersionCodes, parseVersionCodes, VERSION_CODES_HINT } from '../../util/version-codes.js';
import { wantsColor, type IO } from '../io.js';
import type { GlobalOptions, SandboxFlags } from '../program.js';
import { readOnlyRelease, withReadOnlyEnv } from '../read-only-env.js';
import { runFlip } from './flip.js';

export interface AppRecoveryOptions extends GlobalOptions, SandboxFlags {
  operation: 'create' | 'deploy' | 'cancel';
  recoveryId?: string;
  versions: string;
  reason: string;
  dryRun: boolean;
  by?: string;
}

/** Damage control: beside the app's lock, like `release maintenance` (alongside.ts), so a parked flip never blocks it. */
export function runAppRecovery(io: IO, opts: AppRecoveryOptions): Promise<number> {
  const vars = [`operation=${opts.operation}`, `versions=${opts.versions}`, `reason=${opts.reason}`, ...(opts.recoveryId ? [`recovery-id=${opts.recoveryId}`] : [])];
  return runFlip(io, { ...opts, playbook: 'app-recovery', var: vars, attest: [], allowLowerVersion: false, alongside: true });
}

export interface AppRecoveryListOptions extends GlobalOptions {
  versions?: string;
}

/** Play lists by one version code at a time; a wider range would spend the API quota. */
const MAX_CODES = 100;

export async function runAppRecoveryList(rawIO: IO, opts: AppRecoveryListOptions): Promise<number> {
  const { config, context, io } = readOnlyRelease(rawIO, opts);
  const given = opts.versions ?? (config.app.android?.versionCode !== undefined ? String(config.app.android.versionCode) : undefined);
  if (!given) throw usageError('app-recovery list: which version codes? Pass --versions 140-142 (Play lists recovery actions by version code).');
  const range = parseVersionCodes(given);
  if (!range) throw usageError(`--versions ${given}: ${VERSION_CODES_HINT}`);
  if (range.end - range.start + 1 > MAX_CODES) throw usageError(`--versions ${given}: at most ${MAX_CODES} version codes at a time (Play is asked once per code)`);

  const found = await withReadOnlyEnv(io, config, context, 'app-recovery-list', async (env) => {
    const recovery = env.ports.stores.android?.appRecovery;
    if (!recovery) throw usageError('app-recovery: no Google Play store is configured (app.android and stores.android).');
    const byId = new Map<string, AppRecovery>();
    for (let code = range.start; code <= range.end; code++) for (const r of await recovery.list(code)) byId.set(r.id, r);
    return [...byId.values()];
  });

  if (opts.json) {
    for (const r of found) io.out.write(`${JSON.stringify({ type: 'app-recovery', runId: null, ts: new Date().toISOString(), ...r })}\n`);
    return 0;
  }
  const c = new Chalk({ level: wantsColor(io, 'out') ? 1 : 0 });
  if (!found.length) io.err.write(`No App Recovery action targets version codes ${formatVersionCodes(range)}.\n`);
  for (const r of found) {
    const recovered = r.recovered ? `, ${r.recovered.devices} of ${r.recovered.of} devices recovered` : '';
    io.out.write(`${c.bold(r.id)}  ${r.storeState}  version codes ${formatVersionCodes(r.versions)}${r.createdAt ? `, created ${r.createdAt}` : ''}${recovered}\n`);
  }
  return 0;
}
