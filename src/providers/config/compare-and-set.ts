/**
 * Writing only our keys, safely (DESIGN §3.4): read, check that each key we own still holds the
 * value we expect, set ours, write with If-Match. On a version mismatch re-read: if only other
 * keys moved, re-apply ours on the new document; if one of ours moved, stop with the diff and
 * never overwrite it.
 */
import { ActionError } from '../../engine/action.js';
import { getPath, jsonEqual, setPath, type JsonObject, type JsonValue } from '../../util/json-path.js';
import { together } from '../../util/together.js';
import { VersionMismatchError, type RemoteConfigPort } from './port.js';

/** `null` stands for "absent" as well as JSON null: configs rarely tell them apart. */
export interface KeyChange {
  path: string;
  before: JsonValue | null;
  after: JsonValue | null;
}

const MAX_RACES = 5;

export function currentValue(doc: JsonObject, path: string): JsonValue | null {
  return getPath(doc, path) ?? null;
}

export function withChanges(doc: JsonObject, changes: KeyChange[]): JsonObject {
  return changes.reduce((next, c) => setPath(next, c.path, c.after === null ? undefined : c.after), doc);
}

export function reverse(changes: KeyChange[]): KeyChange[] {
  return changes.map((c) => ({ path: c.path, before: c.after, after: c.before }));
}

export type ApplyResult = { status: 'written'; version: string | null; detail?: string } | { status: 'already' };

export async function applyKeyChanges(
  port: RemoteConfigPort,
  changes: KeyChange[],
  opts: {
    guard?: (next: JsonObject) => string[];
    signal?: AbortSignal;
    /**
     * A check that must pass before anything is decided or written (the step's precondition). It
     * runs alongside the first read, as both only read; its failure wins, as if it had run first.
     */
    precheck?: () => Promise<void>;
  } = {},
): Promise<ApplyResult> {
  let precheck = opts.precheck?.();
  for (let race = 0; race < MAX_RACES; race++) {
    const [, snap] = await together([precheck ?? Promise.resolve(), port.read(opts.signal)] as const);
    precheck = undefined;
    const moved = changes.filter((c) => {
      const now = currentValue(snap.doc, c.path);
      return !jsonEqual(now, c.before) && !jsonEqual(now, c.after);
    });
    if (moved.length) {
      throw new ActionError(
        `someone else changed ${moved.map((c) => c.path).join(', ')} in ${port.describe} meanwhile: ${moved
          .map((c) => `${c.path} is ${JSON.stringify(currentValue(snap.doc, c.path))} (expected ${JSON.stringify(c.before)})`)
          .join('; ')}`,
        { retryable: false, hint: 'Their change was kept. Decide with them which value is right, fix the config, then continue.' },
      );
    }
    if (changes.every((c) => jsonEqual(currentValue(snap.doc, c.path), c.after))) return { status: 'already' };
    const next = withChanges(snap.doc, changes);
    const violations = opts.guard?.(next) ?? [];
    if (violations.length) {
      throw new ActionError(`refusing to write the config: it would expose old apps to the new backend (${violations.join('; ')})`, {
        retryable: false,
      });
    }
    try {
      const written = await port.write(next, { ifMatch: snap.version, signal: opts.signal });
      return { status: 'written', ...written };
    } catch (err) {
      if (err instanceof VersionMismatchError) continue;
      throw err;
    }
  }
  throw new ActionError(`${port.describe} kept changing under us (${MAX_RACES} compare-and-set races); nothing of ours was written`);
}

export type ChangeState = 'applied' | 'absent' | 'mixed';

export function changeState(doc: JsonObject, changes: KeyChange[]): ChangeState {
  if (changes.every((c) => jsonEqual(currentValue(doc, c.path), c.after))) return 'applied';
  if (changes.every((c) => jsonEqual(currentValue(doc, c.path), c.before))) return 'absent';
  return 'mixed';
}
