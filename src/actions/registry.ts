/**
 * Every action a playbook step may `uses:`: its implementation, paired with what it is (meta,
 * declared once in action-meta.ts). The engine reads `meta` (mutates, compensable, pivot) from
 * here; the playbook loader reads the input schemas. Loading this loads every action (and zod):
 * commands that only show runs use action-meta.ts instead.
 */
import type * as z from '../util/zod-mini.js';
import type { ActionCatalog } from '../playbook/schema.js';
import appRecovery from './app-recovery.js';
import checkApi from './check-api.js';
import deployBackend from './deploy-backend.js';
import enterMaintenance from './enter-maintenance.js';
import { ACTION_META, metaOf, type ActionName } from './action-meta.js';
import type { ActionDefinition, ActionImplementation } from './env.js';
import internalSignoff from './internal-signoff.js';
import notice from './notice.js';
import publishStores from './publish-stores.js';
import raiseVersions from './raise-versions.js';
import rollout from './rollout.js';
import setFeatureFlag from './set-feature-flag.js';
import setMaintenance from './set-maintenance.js';
import setMinVersion from './set-min-version.js';
import stagedRollout from './staged-rollout.js';
import { STAGED_ROLLOUT } from './rollout-schedules.js';
import verifyManualPublishing from './verify-manual-publishing.js';
import waitForApproval from './wait-for-approval.js';

// One implementation per name the meta table declares (the type makes both lists the same).
const IMPLEMENTATIONS: Record<ActionName, ActionImplementation> = {
  'store/verify-manual-publishing': verifyManualPublishing,
  'store/wait-for-approval': waitForApproval,
  'store/publish': publishStores,
  'store/rollout': rollout,
  'store/app-recovery': appRecovery,
  [STAGED_ROLLOUT]: stagedRollout,
  'config/enter-maintenance': enterMaintenance,
  'config/raise-versions': raiseVersions,
  'config/set-maintenance': setMaintenance,
  'config/set-feature-flag': setFeatureFlag,
  'config/set-min-version': setMinVersion,
  'backend/deploy': deployBackend,
  'backend/check-api': checkApi,
  'signoff/internal': internalSignoff,
  'release/notice': notice,
};

export const ACTIONS: Record<string, ActionDefinition> = Object.fromEntries(
  (Object.keys(ACTION_META) as ActionName[]).map((uses) => [uses, { ...IMPLEMENTATIONS[uses], meta: ACTION_META[uses] }]),
);

export function actionFor(uses: string): ActionDefinition {
  const action = ACTIONS[uses];
  if (!action) throw new Error(`unknown action ${uses}`);
  return action;
}

export const actionCatalog: ActionCatalog = {
  names: () => Object.keys(ACTIONS),
  inputSchema: (uses): z.ZodMiniType | undefined => ACTIONS[uses]?.input,
  isPivot: (uses) => ACTIONS[uses]?.meta.pivot === true,
  failsForward: (uses) => ACTIONS[uses] !== undefined && metaOf(uses).forwardOnly === true,
};
