/**
 * A resume reads its journal once: the run store, the session, the executor and the lock all
 * share one verified read, and each check after it reads only what was appended since. Counted
 * in the real CLI by a preload that sees every read of a journal file (fixtures/trace-journal-reads.mjs).
 */
import { execa } from 'execa';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv, release } from '../helpers/cli.js';
import { testdir } from '../helpers/testdir.js';
import { journalPath, onlyRun } from '../helpers/world.js';

const TRACE = fileURLToPath(new URL('../fixtures/trace-journal-reads.mjs', import.meta.url));

describe('a resume reads its journal once', () => {
  it('reads every byte of the journal it found once, and none of it again', async () => {
    const dir = testdir();
    expect((await release(['flip', '--sandbox', '--until', 'wait-for-approval'], { cwd: dir })).code).toBe(0);
    const journal = journalPath(join(dir, '.release'), onlyRun(dir));
    const found = statSync(journal).size;

    const traceFile = join(dir, 'reads.json');
    const resumed = await execa('node', ['--import', TRACE, BIN, 'resume', 'latest'], { cwd: dir, env: cliEnv({ TRACE_JOURNAL_READS_FILE: traceFile }), extendEnv: false, reject: false, stdin: 'ignore' });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    // The run went on: its own appends are known without reading them back.
    expect(statSync(journal).size).toBeGreaterThan(found);
    const reads = (JSON.parse(readFileSync(traceFile, 'utf8')) as Record<string, { opens: number; bytes: number; other?: string[] }>)[journal];
    expect(reads?.bytes).toBe(found);
    expect(reads?.other ?? []).toEqual([]); // no read the counter cannot see
    expect(reads?.opens).toBeGreaterThan(0);
  });
});
