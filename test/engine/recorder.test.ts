/** What the views are handed is what the journal holds: secrets already masked, before any view encodes it. */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/events.js';
import { FileLockRecords, LocalJournal } from '../../src/engine/backends/local.js';
import { Journal } from '../../src/engine/journal.js';
import { Recorder } from '../../src/engine/recorder.js';
import { redactor } from '../../src/providers/redactor.js';
import { testdir } from '../helpers/testdir.js';

it('a recorded event reaches the view masked, exactly as journaled', async () => {
  const dir = testdir();
  const journal = new Journal(join(dir, 'runs', 'r', 'journal.ndjson'), join(dir, 'heads', 'r.json'), redactor(['q7!']));
  const seen: EngineEvent[] = [];
  await new Recorder({ id: 'r', journal: new LocalJournal(journal, new FileLockRecords(join(dir, 'locks'))) }, (e) => seen.push(e)).record({
    type: 'step.failed',
    step: 'deploy-backend',
    error: { message: 'last lines:\n    q7!\n    done' },
    partial: false,
    decision: { then: 'stop', message: 'look' },
  });
  expect(seen).toEqual(journal.read().events);
  expect(seen[0]).toMatchObject({ error: { message: 'last lines:\n    ***\n    done' } });
});
