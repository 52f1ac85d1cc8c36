/**
 * What each action is, as plain data: the engine's meta (mutates, compensable, pivot, effect) and
 * whether a failure fails forward. Declared here once, apart from the implementations, so commands
 * that only read runs (`status`, `report`, "live now") know each step's effect without loading
 * any action, zod or provider; the registry pairs this table with the implementations.
 */
import type { ActionMeta } from '../engine/action.js';
import { STAGED_ROLLOUT } from './rollout-schedules.js';

export interface ActionKind extends ActionMeta {
  /** Changes what users get, like the pivot but after it: a failure stops for a human (exit 7), never rolls back. */
  forwardOnly?: true;
}

const readOnly = { mutates: false, compensable: false, pivot: false } as const;
/** Every config step writes by compare-and-set and restores exactly the keys it changed (config-step.ts). */
const configWrite = { mutates: true, compensable: true, pivot: false } as const;

export const ACTION_META = {
  'store/verify-manual-publishing': { description: 'Check that the release lowers no live version, and that both stores hold it for manual publishing and on the internal tracks', ...readOnly },
  'store/wait-for-approval': { description: 'Wait until every store approved the version (nothing goes live)', ...readOnly },
  'store/publish': { description: 'Publish the approved version on every store at once (the pivot)', mutates: true, compensable: false, pivot: true, effect: 'publish' },
  'store/rollout': { description: 'Halt, resume or complete a staged rollout / phased release (damage control)', mutates: true, compensable: false, pivot: false, forwardOnly: true },
  'store/app-recovery': { description: 'Play App Recovery: create a draft for a version-code range, deploy it, or cancel it', mutates: true, compensable: true, pivot: false },
  // Each stage reached more users; undoing earlier steps (e.g. the config) would not take that back.
  [STAGED_ROLLOUT]: { description: 'Staged rollout with metric gates: Play fractions, App Store phased hold points; halts on a failed gate', mutates: true, compensable: false, pivot: false, forwardOnly: true },
  'config/enter-maintenance': { description: 'Turn on maintenance mode (or raise minimum_version) so old apps stop calling the API', ...configWrite, effect: 'wall-up' },
  'config/raise-versions': { description: 'Raise minimum/latest version on every platform and clear maintenance, in one write', ...configWrite, effect: 'wall-down' },
  'config/set-maintenance': { description: 'Turn maintenance mode on or off, with a reason', ...configWrite },
  'config/set-feature-flag': { description: 'Set one existing feature flag (the kill switch)', ...configWrite },
  'config/set-min-version': { description: 'Raise minimum_version (the force-update floor) on one or both platforms', ...configWrite },
  'backend/deploy': { description: 'Deploy the backend version; undo rolls it back', mutates: true, compensable: true, pivot: false, effect: 'deploy' },
  'backend/check-api': { description: 'Check that each API version answers (old and new side by side)', ...readOnly },
  'signoff/internal': { description: 'Internal testers verify the new app against the new backend (a gate)', ...readOnly },
  'release/notice': { description: 'Show a reminder (e.g. request an expedited review) in the plan and the journal', ...readOnly },
} as const satisfies Record<string, ActionKind>;

export type ActionName = keyof typeof ACTION_META;

export function isActionName(uses: string): uses is ActionName {
  return Object.hasOwn(ACTION_META, uses);
}

export function metaOf(uses: string): ActionKind {
  if (!isActionName(uses)) throw new Error(`unknown action ${uses}`);
  return ACTION_META[uses];
}

/** What a step means for the transition window ("live now", summaries, reports). */
export const effectOf = (uses: string): ActionMeta['effect'] => metaOf(uses).effect;

/** Is this step the point of no return? */
export const isPivot = (uses: string): boolean => metaOf(uses).pivot;
