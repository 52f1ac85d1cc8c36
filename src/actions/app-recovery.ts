/**
 * Play App Recovery (Android): make users of a bad version code update, even when the app has no
 * force-update wall. `create` makes a DRAFT targeting a version-code range (it reaches nobody),
 * `deploy` asks every targeted user to update, `cancel` stops it for users not yet recovered.
 * Undo: a created draft is cancelled; a deployed one is cancelled too (it cannot go back to
 * draft, and users who already updated stay updated); a cancel cannot be undone (Play cannot
 * resume a cancelled action: create a new one).
 * API: https://developers.google.com/android-publisher/api-ref/rest/v3/apprecovery
 */
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { ActionError, type StepPlan } from '../engine/action.js';
import { RECOVERY_STATUS, type AppRecovery, type AppRecoveryControl, type VersionCodeRange } from '../providers/stores/port.js';
import { formatVersionCodes, parseVersionCodes, VERSION_CODES_HINT } from '../util/version-codes.js';
import { defineAction, type ActionEnv } from './env.js';
import { storeFor } from './stores.js';

const Input = z
  .strictObject({
    operation: z.enum(['create', 'deploy', 'cancel']),
    // Deploy and cancel need it too: Play lists recovery actions by version code only, with no read by id.
    versions: described(z.string().check(z.refine((v) => parseVersionCodes(v) !== undefined, VERSION_CODES_HINT)), 'The version codes targeted, e.g. 140-142'),
    recoveryId: described(z.optional(z.string()), 'For deploy and cancel: the id `create` printed'),
    reason: z.string().check(z.minLength(3, 'say why, for the journal and the team')),
  })
  .check(z.refine((i) => i.operation === 'create' || i.recoveryId, { message: 'deploy and cancel need recoveryId (the id `release app-recovery create` printed)', path: ['recoveryId'] }));

type Input = z.output<typeof Input>;

const WANTED = { create: 'draft', deploy: 'active', cancel: 'canceled' } as const;

const rangeOf = (input: Input): VersionCodeRange => parseVersionCodes(input.versions)!;

function control(env: ActionEnv): AppRecoveryControl {
  const store = storeFor(env, 'android');
  if (!store.appRecovery) throw new ActionError(`${store.storeName} has no App Recovery`, { retryable: false });
  return store.appRecovery;
}

/** The actions targeting the range now (listed by its lowest code: every one targeting the range includes it). */
async function targeting(env: ActionEnv, range: VersionCodeRange, signal: AbortSignal): Promise<AppRecovery[]> {
  return control(env).list(range.start, signal);
}

const sameRange = (a: VersionCodeRange, b: VersionCodeRange) => a.start === b.start && a.end === b.end;

/** Ours after a create: targets the range, and was not there when the step planned (its undo record). */
function created(all: AppRecovery[], range: VersionCodeRange, existing: string[]): AppRecovery[] {
  return all.filter((r) => sameRange(r.versions, range) && !existing.includes(r.id) && r.state !== 'canceled');
}

export default defineAction({
  input: Input,

  async plan(input, ctx): Promise<StepPlan> {
    const range = rangeOf(input);
    const codes = formatVersionCodes(range);
    const all = await targeting(ctx.env, range, ctx.signal);
    const notes = [`reason: ${input.reason}`];
    if (input.operation === 'create') {
      const open = all.filter((r) => sameRange(r.versions, range) && (r.state === 'draft' || r.state === 'active'));
      return {
        summary: `create a Play App Recovery draft for version codes ${codes}`,
        changes: open.length ? [] : [{ target: 'recovery', platform: 'android', before: 'none', after: `${RECOVERY_STATUS.draft} ${codes}` }],
        notes,
        blockers: open.length ? open.map((r) => `App Recovery ${r.id} (${r.storeState}) already targets ${codes}: deploy or cancel it instead of creating another`) : undefined,
        // The undo record: every action that existed before, so only the one this step makes is cancelled.
        data: { existing: all.map((r) => r.id) },
      };
    }
    const id = input.recoveryId!;
    const now = all.find((r) => r.id === id);
    const wanted = WANTED[input.operation];
    const blocker = !now
      ? `no App Recovery action ${id} targets version code ${range.start} (see \`release app-recovery list --versions ${codes}\`)`
      : input.operation === 'deploy' && now.state !== 'draft' && now.state !== 'active'
        ? `App Recovery ${id} is ${now.storeState}: only a draft can be deployed`
        : undefined;
    if (input.operation === 'cancel') notes.push('cancel stops it for users not yet recovered; users who already updated stay updated, and a cancelled action cannot be resumed');
    return {
      summary: `${input.operation} Play App Recovery ${id} (version codes ${codes})`,
      changes: now && now.state !== wanted && !blocker ? [{ target: 'recovery', platform: 'android', before: `${now.storeState} ${codes}`, after: `${RECOVERY_STATUS[wanted]} ${codes}` }] : [],
      notes,
      blockers: blocker ? [blocker] : undefined,
      data: { before: now?.state ?? null },
    };
  },

  async run(input, plan, ctx) {
    const range = rangeOf(input);
    const codes = formatVersionCodes(range);
    const recovery = control(ctx.env);
    if (input.operation === 'create') {
      const draft = await recovery.createDraft(range, { signal: ctx.signal, progress: ctx.progress });
      ctx.progress(`App Recovery ${draft.id} is a draft for version codes ${codes}: nobody is asked to update until \`release app-recovery deploy ${draft.id} --versions ${codes}\``);
      return { recoveryId: draft.id, versions: codes, state: draft.storeState };
    }
    const id = input.recoveryId!;
    if (plan.changes.length === 0) return { recoveryId: id, versions: codes, state: RECOVERY_STATUS[WANTED[input.operation]] };
    if (input.operation === 'deploy') await recovery.deploy(id, range, { signal: ctx.signal, progress: ctx.progress });
    else await recovery.cancel(id, range, { signal: ctx.signal, progress: ctx.progress });
    return { recoveryId: id, versions: codes, state: RECOVERY_STATUS[WANTED[input.operation]] };
  },

  async verify(input, plan, ctx) {
    const range = rangeOf(input);
    const all = await targeting(ctx.env, range, ctx.signal);
    if (input.operation === 'create') return created(all, range, (plan.data?.existing as string[] | undefined) ?? []).length ? { status: 'done' } : { status: 'not-done' };
    return all.find((r) => r.id === input.recoveryId)?.state === WANTED[input.operation] ? { status: 'done' } : { status: 'not-done' };
  },

  async undo(input, plan, ctx) {
    const range = rangeOf(input);
    const recovery = control(ctx.env);
    const opts = { signal: ctx.signal, progress: ctx.progress };
    if (input.operation === 'cancel') {
      if (plan.data?.before === 'canceled') return;
      throw new ActionError(`App Recovery ${input.recoveryId} was cancelled, and Play cannot resume a cancelled action`, {
        retryable: false,
        hint: `Create a new one: release app-recovery create --versions ${formatVersionCodes(range)} --reason "..."`,
      });
    }
    if (input.operation === 'deploy') {
      if (plan.data?.before === 'active') return;
      // A deployed action cannot go back to draft: cancelling is the nearest undo.
      ctx.progress(`cancelling App Recovery ${input.recoveryId}: users who already updated stay updated`);
      await recovery.cancel(input.recoveryId!, range, opts);
      return;
    }
    const existing = plan.data?.existing as string[] | undefined;
    if (!existing) throw new ActionError('the plan of this create has no record of the App Recovery actions before it', { retryable: false, hint: 'Cancel the draft by hand: release app-recovery list, then cancel.' });
    for (const ours of created(await targeting(ctx.env, range, ctx.signal), range, existing)) await recovery.cancel(ours.id, range, opts);
  },
});
