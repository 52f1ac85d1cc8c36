/**
 * `--attest <gate>`: a person vouches, up front, for what no API can show (Play's managed
 * publishing switch). Journaled like a sign-off, with who, so CI never has to stop at it.
 */
import type { Identity } from '../engine/events.js';
import type { Recorder } from '../engine/recorder.js';
import type { RunHandle } from '../engine/runs.js';
import { reduceRun } from '../engine/state.js';
import { usageError } from '../errors.js';

export const ATTESTABLE = ['play-managed-publishing'] as const;

export function checkAttestable(gates: string[]): void {
  for (const gate of gates) {
    if (!(ATTESTABLE as readonly string[]).includes(gate)) throw usageError(`--attest ${gate}: only ${ATTESTABLE.join(', ')} can be attested`);
  }
}

export function recordAttestations(recorder: Recorder, run: RunHandle, gates: string[], by: Identity): void {
  const state = reduceRun(run.journal.read());
  for (const gate of gates) {
    if (state.gates[gate]?.decision) continue;
    recorder.record({ type: 'gate.decided', gate, approved: true, by: by.who, source: 'attest', reason: 'attested with --attest' });
  }
}
