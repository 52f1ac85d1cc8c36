/**
 * The first ten minutes of an incident, one command each: `maintenance on|off`, `flag <name>
 * on|off`, `min-version <version>`. Each is a short run of a built-in playbook through the flip's
 * own path, so it gets everything a flip has (journal, compare-and-set of only its keys, the
 * propagation barrier, the wall invariant, --dry-run, --json, who and why, `release rollback`),
 * with a lock of its own beside the app's (alongside.ts).
 */
import { usageError } from '../../errors.js';
import type { IO } from '../io.js';
import type { GlobalOptions, SandboxFlags } from '../program.js';
import { runFlip, type FlipOptions } from './flip.js';

export interface DamageOptions extends GlobalOptions, SandboxFlags {
  reason: string;
  dryRun: boolean;
  by?: string;
  allowLowerVersion?: boolean;
}

function onOff(value: string, what: string): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw usageError(`${what} ${value}: say on or off`);
}

function flip(opts: DamageOptions, playbook: string, vars: Record<string, string>): FlipOptions {
  return {
    ...opts,
    playbook,
    var: Object.entries({ ...vars, reason: opts.reason }).map(([k, v]) => `${k}=${v}`),
    attest: [],
    allowLowerVersion: opts.allowLowerVersion === true,
    alongside: true,
  };
}

export function runMaintenance(io: IO, opts: DamageOptions & { state: string }): Promise<number> {
  return runFlip(io, flip(opts, 'emergency-maintenance', { on: String(onOff(opts.state, 'maintenance')) }));
}

export function runFlag(io: IO, opts: DamageOptions & { flag: string; state: string }): Promise<number> {
  return runFlip(io, flip(opts, 'kill-switch', { flag: opts.flag, enabled: String(onOff(opts.state, `flag ${opts.flag}`)) }));
}

export function runMinVersion(io: IO, opts: DamageOptions & { version: string; platform?: string }): Promise<number> {
  return runFlip(io, flip(opts, 'min-version', { version: opts.version, platform: opts.platform ?? 'both' }));
}
