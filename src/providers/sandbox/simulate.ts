/**
 * What every simulated call shares: latency, and the fault a rehearsal injected for one step.
 * A mutating call spends half its latency before the effect and half after, so a kill can land
 * between the effect and its answer — the in-doubt case `verify` exists for. At zero latency a
 * call waits for nothing: no timer, only the abort check.
 */
import { pause } from '../../util/sleep.js';
import type { Platform } from '../stores/port.js';
import type { WorldFile } from './world.js';

export interface SandboxFault {
  step: string;
  /** Only this platform's store fails (publish-stores:android). */
  platform?: Platform;
}

/**
 * How a fault shows, by the kind of step it hits, so a rehearsal fails the way production
 * would: a store rejects the review, a tester says no, a deploy or a write errors out.
 */
export type FaultMode = 'call-fails' | 'review-rejected' | 'manual-publishing-off' | 'api-down' | 'testers-reject';

export class SimulatedOutage extends Error {
  constructor(what: string, step: string) {
    super(`${what} failed (simulated by --sandbox-fail ${step})`);
    this.name = 'SimulatedOutage';
  }
}

export class CallContext {
  constructor(
    readonly world: WorldFile,
    readonly step: string,
    private readonly latencyMs: number,
    private readonly fault: (SandboxFault & { mode: FaultMode }) | undefined,
  ) {}

  /** Is this step faulted in this way (for this platform)? */
  faulted(mode: FaultMode, platform?: Platform): boolean {
    if (!this.fault || this.fault.mode !== mode) return false;
    return !this.fault.platform || !platform || this.fault.platform === platform;
  }

  async delay(signal?: AbortSignal): Promise<void> {
    await pause(this.latencyMs, signal);
  }

  /**
   * The answer is the world as the call starts; the simulated server's own work (reading the
   * world file) happens while the latency runs, as a real server's does, not after it.
   */
  async read<T>(signal: AbortSignal | undefined, get: () => T): Promise<T> {
    return answered(pause(this.latencyMs, signal), get);
  }

  /**
   * The effect lands halfway, and is persisted while the second half (the answer's way back)
   * runs. The answer's wait starts with the call, as a real request's round trip does: the call
   * is in flight throughout, with no client-side pause at its midpoint. A faulted call fails
   * halfway, having done nothing.
   */
  async mutate<T>(what: string, platform: Platform | undefined, signal: AbortSignal | undefined, apply: () => T): Promise<T> {
    if (this.faulted('call-fails', platform)) {
      await pause(this.latencyMs / 2, signal);
      throw new SimulatedOutage(what, this.fault!.step);
    }
    const answer = pause(this.latencyMs, signal);
    // An abort in the first half is thrown by the halfway wait; the answer's rejection is the same one.
    answer?.catch(() => {});
    await pause(this.latencyMs / 2, signal);
    return answered(answer, apply);
  }
}

/**
 * Runs `work` while `wait` (a pause already started, or nothing at zero latency) goes on, and
 * answers when both are done: with the work's result, or its error. An aborted wait wins.
 */
async function answered<T>(wait: Promise<void> | undefined, work: () => T): Promise<T> {
  let result: T;
  try {
    result = work();
  } catch (err) {
    await wait;
    throw err;
  }
  await wait;
  return result;
}
