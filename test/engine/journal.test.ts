import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, readJournal } from '../../src/engine/journal.js';
import type { DurableEvent } from '../../src/engine/events.js';
import { testdir } from '../helpers/testdir.js';

const ev = (step: string): DurableEvent => ({ type: 'step.interrupted', step, runId: 'r', ts: new Date().toISOString() });

describe('Journal', () => {
  it('appends one JSON event per line and reads them back in order', () => {
    const j = new Journal(join(testdir(), 'journal.ndjson'));
    j.append(ev('a'));
    j.append(ev('b'));
    expect(j.read().map((e) => ('step' in e ? e.step : ''))).toEqual(['a', 'b']);
    expect(readFileSync(j.path, 'utf8').split('\n')).toHaveLength(3);
  });

  it('skips a line torn by a crash, and the next writer cuts it off', () => {
    const path = join(testdir(), 'journal.ndjson');
    new Journal(path).append(ev('a'));
    appendFileSync(path, '{"type":"step.interrupted","st'); // kill -9 mid-write
    expect(readJournal(path)).toHaveLength(1);
    const next = new Journal(path);
    next.append(ev('b'));
    expect(readJournal(path).map((e) => ('step' in e ? e.step : ''))).toEqual(['a', 'b']);
    expect(readFileSync(path, 'utf8')).not.toContain('"st\n');
  });

  it('masks secrets before they reach the disk', () => {
    const j = new Journal(join(testdir(), 'journal.ndjson'), (line) => line.replaceAll('s3cr3t', '***'));
    j.append({ ...ev('a'), step: 'token s3cr3t' } as DurableEvent);
    expect(readFileSync(j.path, 'utf8')).not.toContain('s3cr3t');
  });
});
