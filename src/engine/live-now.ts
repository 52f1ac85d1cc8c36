/**
 * What is live now, as the journal tells it: the wall, the backend, each store. Every stop
 * (pause, decline, gate, a human's decision) and `status` say it, so nobody has to guess at 3 AM
 * whether old apps are walled off. Derived from step states and plans; no provider is called.
 */
import type { ActionMeta } from './action.js';
import { IN_DOUBT, type RunState, type StepState } from './state.js';

export function liveNow(state: RunState, effectOf: (uses: string) => ActionMeta['effect']): string[] {
  const lines: string[] = [];
  const withEffect = (effect: ActionMeta['effect']) => state.steps.filter((s) => effectOf(s.uses) === effect);
  const wall = wallState(withEffect('wall-up'), withEffect('wall-down'));
  if (wall) lines.push(`Wall: ${wall}`);
  for (const deploy of withEffect('deploy')) {
    const change = deploy.plan?.changes.find((c) => c.target === 'backend');
    const to = change && 'after' in change ? String(change.after) : 'the new version';
    const from = change && 'before' in change && change.before !== null ? String(change.before) : 'the old version';
    if (deploy.status === 'succeeded') lines.push(`Backend: ${to} is live (was ${from})`);
    else if (deploy.status === 'undone') lines.push(`Backend: back on ${from}`);
    else if (IN_DOUBT.has(deploy.status) || deploy.status === 'undoing' || deploy.status === 'undo_failed') lines.push(`Backend: maybe on ${to} (${deploy.id} is ${deploy.status}; resume checks the served version)`);
    else if (deploy.status === 'failed') lines.push(`Backend: ${deploy.id} failed; ${from} should still be served`);
    else lines.push(`Backend: unchanged (${from})`);
  }
  for (const publish of withEffect('publish')) {
    const stores = (publish.plan?.changes ?? []).filter((c) => c.target === 'store').map((c) => ('platform' in c ? c.platform : ''));
    const names = stores.length ? stores.join(' and ') : 'the stores';
    if (publish.status === 'succeeded') lines.push(`Stores: ${names} published (cannot be undone)`);
    else if (publish.status === 'failed' && publish.partial) lines.push(`Stores: partly published (cannot be undone): ${publish.error?.message ?? ''}`);
    else if (IN_DOUBT.has(publish.status) || publish.status === 'paused') lines.push(`Stores: publishing ${names} may have started (${publish.id} is ${publish.status})`);
    else lines.push(`Stores: nothing published yet`);
  }
  return lines;
}

function wallState(up: StepState[], down: StepState[]): string | undefined {
  if (!up.length) return undefined;
  if (down.some((s) => s.status === 'succeeded')) return 'down (versions raised, maintenance off)';
  if (up.some((s) => s.status === 'succeeded' || s.status === 'undo_failed')) return 'UP: old apps see the maintenance screen or a forced update';
  if (up.some((s) => IN_DOUBT.has(s.status) || s.status === 'undoing')) return 'maybe up (resume checks the config)';
  if (up.some((s) => s.status === 'undone')) return 'down (restored)';
  return 'down (not put up yet)';
}
