/**
 * Damage control beside a flip. An emergency must never wait for a forgotten parked run, so
 * `maintenance`, `flag` and `min-version` take a lock of their own beside the app's. What they
 * must still respect is the flip's world: if its breaking backend may be live, the wall invariant
 * holds for them too (no maintenance off while old apps would meet the new API). Their config
 * writes are compare-and-set, and the flip stops at its next step if they changed one of its keys.
 */
import { actionFor } from '../actions/registry.js';
import { backendMayBeLive } from '../engine/run-verdicts.js';
import { holderState } from '../engine/lock.js';
import type { RunStore } from '../engine/runs.js';
import { appIdOf, type ReleaseConfig } from '../playbook/release-config.js';

export interface Alongside {
  /** The flip's breaking backend may be live: invariant checks apply. */
  backendLive: boolean;
  /** Said before the change, naming the run it goes beside. */
  note?: string;
}

export async function flipAlongside(store: RunStore, config: ReleaseConfig): Promise<Alongside> {
  const app = appIdOf(config);
  const lock = await store.locks.read(app);
  if (!lock) return { backendLive: false };
  const holder = `run ${lock.runId} (${lock.operation}, ${holderState(lock).why})`;
  let live: boolean;
  try {
    live = backendMayBeLive(await store.stateOfRun(lock.runId), (uses) => actionFor(uses).meta.effect);
  } catch {
    live = true; // unreadable: assume the worst, the wall stays enforced
  }
  const why = live ? ': its breaking backend may be live, so old apps must stay walled (the invariant holds for this change too)' : '';
  return { backendLive: live, note: `${holder} holds the lock of ${app}; this change goes beside it${why}. If it changes one of that run's keys, that run stops at its next step with the diff.` };
}
