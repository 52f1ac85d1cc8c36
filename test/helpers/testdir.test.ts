/** The test directories go away: the suite writes into a RAM disk, run after run. */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { suiteDir, testdir } from './testdir.js';

let fromTest: string;
let fromSuite: string;

describe('a directory made in a test', () => {
  it('exists during the test', () => {
    fromTest = testdir({ 'a/b.txt': 'x' });
    expect(existsSync(`${fromTest}/a/b.txt`)).toBe(true);
  });
});

describe('a directory for a describe block', () => {
  const dir = suiteDir({ 'c.txt': 'y' });
  beforeAll(() => {
    fromSuite = dir;
  });
  it('exists for its first test', () => expect(existsSync(`${dir}/c.txt`)).toBe(true));
  it('and for its last', () => expect(existsSync(dir)).toBe(true));
});

describe('afterwards', () => {
  it('both are gone', () => {
    expect(existsSync(fromTest)).toBe(false);
    expect(existsSync(fromSuite)).toBe(false);
  });
});
