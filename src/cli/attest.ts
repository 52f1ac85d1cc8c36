/**
 * `--attest <gate>`: a person vouches, up front, for what no API can show (Play's managed
 * publishing switch). Journaled like a sign-off, with who, so CI never has to stop at it.
 */
import { usageError } from '../errors.js';

export const ATTESTABLE = ['play-managed-publishing'] as const;

export function checkAttestable(gates: string[]): void {
  for (const gate of gates) {
    if (!(ATTESTABLE as readonly string[]).includes(gate)) throw usageError(`--attest ${gate}: only ${ATTESTABLE.join(', ')} can be attested`);
  }
}
