/**
 * Reopening a run to act on it again (resume, rollback): its state from the journal, the release
 * config it was created with, and streams and journal masked for that config's secrets.
 */
import type { RunHandle, RunStore } from '../engine/runs.js';
import type { RunState } from '../engine/state.js';
import type { ReleaseConfig } from '../playbook/release-config.js';
import { redactedIO, redactFor } from './adapters.js';
import { openRunStore, recordedRelease, type RunContext } from './context.js';
import type { IO } from './io.js';
import type { GlobalOptions } from './program.js';

export interface ExistingRun {
  state: RunState;
  config: ReleaseConfig;
  context: RunContext;
  /** Streams that mask the run's secrets. */
  io: IO;
  store: RunStore;
  run: RunHandle;
}

export function openExistingRun(rawIO: IO, globals: GlobalOptions, ref: string): ExistingRun {
  const state = openRunStore(rawIO, globals).state(ref);
  const config = recordedRelease(state);
  const context = state.context as unknown as RunContext;
  const redact = redactFor(rawIO, config, context);
  const io = redactedIO(rawIO, redact);
  const store = openRunStore(io, globals, undefined, redact);
  return { state, config, context, io, store, run: store.open(state.runId) };
}
