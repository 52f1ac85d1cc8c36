import type { GateDecision } from '../../engine/events.js';
import type { SignoffPort } from '../signoff/port.js';
import type { Platform } from '../stores/port.js';
import type { CallContext } from './simulate.js';

/** Simulated people: testers approve (or reject under --sandbox-fail), the captain presses Publish. */
export class SandboxSignoff implements SignoffPort {
  constructor(
    private readonly call: CallContext,
    private readonly gates: 'auto' | 'manual',
    /** The stores the world simulates. */
    private readonly platforms: readonly Platform[],
  ) {}

  async autoDecide(gate: { gate: string }, signal?: AbortSignal): Promise<GateDecision | undefined> {
    const reject = this.call.faulted('testers-reject');
    if (!reject && this.gates === 'manual') return undefined;
    // The simulated captain presses Publish only in the simulated Play Console, never in a real one.
    if (gate.gate === 'play-publish' && !this.platforms.includes('android')) return undefined;
    await this.call.delay(signal);
    if (reject) {
      return {
        approved: false,
        by: 'sandbox testers',
        reason: `the new app fails against the new backend (simulated by --sandbox-fail ${this.call.step})`,
        source: 'auto',
      };
    }
    return { approved: true, by: gate.gate === 'play-publish' ? 'sandbox captain' : 'sandbox testers', source: 'auto' };
  }
}
