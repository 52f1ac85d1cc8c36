/**
 * Where a command's release config comes from: the file given or found upward, the built-in
 * example (`--sandbox` with no config), or the journal of the run it belongs to. Each is checked
 * with the schema (zod, yaml); commands that only show runs never import this.
 */
import { resolve } from 'node:path';
import type { RunState } from '../engine/state.js';
import { ReleaseError, usageError } from '../errors.js';
import { findConfigFile } from '../playbook/config-file.js';
import { CONFIG_TEMPLATE } from '../playbook/config-template.js';
import { loadReleaseConfig, parseReleaseConfig, ReleaseConfigSchema, type ReleaseConfig } from '../playbook/release-config.js';
import type { IO } from './io.js';
import type { GlobalOptions } from './program.js';

export interface LoadedRelease {
  config: ReleaseConfig;
  /** Absolute path, or null for the built-in example app. */
  file: string | null;
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

/** The release config a run was created with (journaled), so resume never depends on files moving. */
export function recordedRelease(state: Pick<RunState, 'runId' | 'release'>): ReleaseConfig {
  const parsed = ReleaseConfigSchema.safeParse(state.release.config);
  if (!parsed.success) throw new ReleaseError('error', `run ${state.runId} has an unreadable release config in its journal`);
  return parsed.data;
}

