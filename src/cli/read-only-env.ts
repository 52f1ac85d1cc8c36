/**
 * The ports a run would get, as read-only views, for commands that only look (`doctor`,
 * `app-recovery list`, `policy`): simulated ports read a world seeded from the config, as a
 * rehearsal would start, in a temporary directory removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionEnv } from '../actions/env.js';
import type { ReleaseConfig } from '../playbook/release-config.js';
import { dryRunPorts, loadRealAdapters, portsFor, seedWorld } from './adapters.js';
import { redactedIO, redactFor } from './config-secrets.js';
import type { RunContext } from './context.js';
import type { IO } from './io.js';
import type { GlobalOptions } from './program.js';
import { loadRelease } from './release-source.js';
import type { SandboxMetricValues } from '../providers/sandbox/metrics.js';

/** The release config and the context of a command that only reads, with secrets masked in its output. */
export function readOnlyRelease(rawIO: IO, opts: GlobalOptions): { config: ReleaseConfig; file: string | null; context: RunContext; io: IO } {
  const { config, file } = loadRelease(rawIO, opts);
  const context: RunContext = { sandbox: opts.sandbox, configFile: file };
  return { config, file, context, io: redactedIO(rawIO, redactFor(rawIO, config, context)) };
}

/** `metrics`: what `--sandbox-metric` set, read instead of the sources in a rehearsal. */
export async function withReadOnlyEnv<T>(io: IO, config: ReleaseConfig, context: RunContext, name: string, use: (env: ActionEnv) => Promise<T>, metrics: SandboxMetricValues = {}): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `release-${name}-`));
  try {
    seedWorld(dir, config, context, { latencyMs: 0, gates: 'auto' });
    const source = dryRunPorts(portsFor(io, { dir, playbook: { name, file: '', steps: [] } }, config, context, { faults: [], metrics }, await loadRealAdapters(context)));
    return await use(source.envFor(name, 'plan'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
