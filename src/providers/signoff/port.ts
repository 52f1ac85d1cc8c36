import type { GateDecision } from '../../engine/events.js';

/** Who else may decide a gate before a human is asked: simulated testers, a smoke command. */
export interface SignoffPort {
  autoDecide(gate: { gate: string; title: string }, signal?: AbortSignal, progress?: (message: string) => void): Promise<GateDecision | undefined>;
}
