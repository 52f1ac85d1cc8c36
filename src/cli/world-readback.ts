/**
 * The world as read back now, next to what a run's journal says it should be: for `repair`,
 * where a human decides whether the readable journal can be trusted. Read-only calls only.
 */
import type { ActionEnv } from '../actions/env.js';
import type { RunState } from '../engine/state.js';
import { errorMessage } from '../errors.js';
import { getPath, type JsonObject, type JsonValue } from '../util/json-path.js';

export interface Comparison {
  what: string;
  journal: JsonValue;
  world: JsonValue;
  same: boolean;
}

/** What each touched target should hold if the journal is right: later steps win, undone ones restore. */
export function journalExpectation(state: RunState): Map<string, { what: string; value: JsonValue }> {
  const expected = new Map<string, { what: string; value: JsonValue }>();
  for (const step of state.steps) {
    if (!step.plan || step.status === 'pending') continue;
    const done = step.status === 'succeeded';
    const restored = step.status === 'undone';
    for (const change of step.plan.changes) {
      const value = restored ? change.before : done ? change.after : `${JSON.stringify(change.before)} or ${JSON.stringify(change.after)} (${step.id} is ${step.status})`;
      if (change.target === 'config') expected.set(`config:${change.path}`, { what: `config ${change.path}`, value: value ?? null });
      if (change.target === 'backend') expected.set('backend', { what: 'backend version', value: value ?? null });
      if (change.target === 'store') expected.set(`store:${change.platform}`, { what: `${change.platform} store`, value: value ?? null });
    }
  }
  return expected;
}

const UNTOUCHED = '(untouched)';

/**
 * Where the readable journal says a target was untouched, the world holding what the run would
 * have set there (the new backend, the new version, "live") is the sign of a lost step.
 */
export async function compareWithWorld(state: RunState, env: ActionEnv, signal: AbortSignal): Promise<Comparison[]> {
  const expected = journalExpectation(state);
  const { keys, version, backendVersion, platforms } = env.release;
  const targets = new Map<string, JsonValue>([['backend', backendVersion], [`config:${keys.maintenance}`, true]]);
  for (const p of platforms) {
    targets.set(`config:${keys[p].minimum}`, version);
    targets.set(`config:${keys[p].latest}`, version);
    targets.set(`store:${p}`, 'live');
  }
  for (const [key] of targets) {
    if (expected.has(key)) continue;
    const what = key === 'backend' ? 'backend version' : key.startsWith('store:') ? `${key.slice(6)} store` : `config ${key.slice(7)}`;
    expected.set(key, { what, value: UNTOUCHED });
  }
  const world = new Map<string, JsonValue>();
  try {
    const doc = (await env.ports.config.read(signal)).doc;
    for (const key of expected.keys()) if (key.startsWith('config:')) world.set(key, getPath(doc, key.slice(7)) ?? null);
  } catch (err) {
    for (const key of expected.keys()) if (key.startsWith('config:')) world.set(key, `unreadable: ${errorMessage(err)}`);
  }
  world.set('backend', await settle(() => env.ports.backend.servedVersion(signal)));
  for (const platform of platforms) {
    const store = env.ports.stores[platform];
    if (store) world.set(`store:${platform}`, await settle(async () => (await store.readRelease(version, signal)).state));
  }
  const rows: Comparison[] = [];
  for (const [key, want] of expected) {
    const have = world.get(key) ?? '(not read)';
    const same = want.value === UNTOUCHED ? JSON.stringify(have) !== JSON.stringify(targets.get(key)) : JSON.stringify(want.value) === JSON.stringify(have);
    rows.push({ what: want.what, journal: want.value, world: have, same });
  }
  return rows;
}

export function worldRecord(rows: Comparison[]): JsonObject {
  return Object.fromEntries(rows.map((r) => [r.what, r.world]));
}

async function settle(read: () => Promise<JsonValue>): Promise<JsonValue> {
  try {
    return await read();
  } catch (err) {
    return `unreadable: ${errorMessage(err)}`;
  }
}
