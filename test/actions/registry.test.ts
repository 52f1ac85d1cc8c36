import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/actions/registry.js';

describe('the action table', () => {
  it.each(Object.entries(ACTIONS))('%s keeps the contract its meta declares', (_uses, action) => {
    if (action.meta.mutates) expect(action.verify, 'a mutating action must say whether its effect happened').toBeTypeOf('function');
    if (action.meta.compensable) expect(action.undo).toBeTypeOf('function');
    if (action.meta.pivot) expect(action.meta.compensable).toBe(false);
    expect(action.meta.description.length).toBeGreaterThan(10);
  });
});
