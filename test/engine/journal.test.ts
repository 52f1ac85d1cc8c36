/**
 * The journal detects every loss: a changed byte, a missing, repeated or moved line, a shortened
 * or restored older copy. Only a torn last line beyond the head is tolerated, and kept as evidence.
 * Real files; the write failures are real ones (/dev/full).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DurableEvent } from '../../src/engine/events.js';
import { Journal, JournalDamagedError, JournalWriteError, readJournal } from '../../src/engine/journal.js';
import { testdir } from '../helpers/testdir.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const ev = (step: string, type: 'step.interrupted' | 'step.declined' = 'step.interrupted'): DurableEvent => ({ type, step, runId: 'r', ts: new Date().toISOString() });
const steps = (events: DurableEvent[]) => events.map((e) => ('step' in e ? e.step : e.type));

function journalIn(dir = testdir()): Journal {
  return new Journal(join(dir, 'runs', 'r', 'journal.ndjson'), join(dir, 'heads', 'r.json'));
}

/** What another process opening the journal now reads. */
function reread(j: Journal) {
  return readJournal(j.path, j.headPath);
}

function lines(j: Journal): string[] {
  return readFileSync(j.path, 'utf8').split('\n').filter(Boolean);
}

function rewrite(j: Journal, edit: (lines: string[]) => string[], trailingNewline = true): void {
  const out = edit(lines(j));
  writeFileSync(j.path, out.join('\n') + (trailingNewline && out.length ? '\n' : ''));
}

function written(n: number): Journal {
  const j = journalIn();
  for (let i = 1; i <= n; i++) j.append(ev(`s${i}`));
  return j;
}

describe('Journal', () => {
  it('appends sealed lines (seq, previous hash, checksum) and reads them back in order', () => {
    const j = written(3);
    const read = j.read();
    expect(steps(read.events)).toEqual(['s1', 's2', 's3']);
    expect(read.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(read.damage).toBeUndefined();
    expect(lines(j)[1]).toMatch(/^\{"seq":2,"prev":"[0-9a-f]{32}",.*,"sum":"[0-9a-f]{32}"\}$/);
    expect(JSON.parse(readFileSync(j.headPath, 'utf8'))).toMatchObject({ seq: 3 });
  });

  it('a changed byte in the middle is damage at that line, naming what it held', () => {
    const j = written(4);
    rewrite(j, (ls) => ls.map((l, i) => (i === 1 ? l.replace('"s2"', '"s9"') : l)));
    const read = reread(j);
    expect(read.damage).toMatchObject({ line: 2, problem: expect.stringMatching(/checksum/) });
    expect(read.damage!.text).toContain('"s9"');
    expect(steps(read.events)).toEqual(['s1']);
  });

  it('a line made unreadable (first byte replaced) is damage, not skipped', () => {
    const j = written(3);
    rewrite(j, (ls) => ls.map((l, i) => (i === 1 ? `#${l.slice(1)}` : l)));
    expect(reread(j).damage).toMatchObject({ line: 2 });
  });

  it('a deleted line is damage at the line after the gap', () => {
    const j = written(4);
    rewrite(j, (ls) => ls.filter((_, i) => i !== 1));
    expect(reread(j).damage).toMatchObject({ line: 2, problem: expect.stringMatching(/#2 are missing/) });
  });

  it('a duplicated or moved line is damage', () => {
    const dup = written(3);
    rewrite(dup, (ls) => [ls[0]!, ls[1]!, ls[1]!, ls[2]!]);
    expect(reread(dup).damage).toMatchObject({ line: 3, problem: expect.stringMatching(/repeats event #2/) });
    const moved = written(3);
    rewrite(moved, (ls) => [ls[0]!, ls[2]!, ls[1]!]);
    expect(reread(moved).damage).toMatchObject({ line: 2 });
  });

  it('a shortened journal (lines cut off the end, or a restored older copy) is damage against its head', () => {
    const j = written(5);
    rewrite(j, (ls) => ls.slice(0, 3));
    expect(reread(j).damage).toMatchObject({ line: 4, problem: expect.stringMatching(/shortened or restored older copy/) });
    const gone = written(3);
    writeFileSync(gone.headPath, 'nonsense');
    expect(reread(gone).damage?.problem).toMatch(/head record .* is unreadable/);
  });

  it('tolerates a journal ahead of its head (a crash between the line and the head, a head rename a power cut lost)', () => {
    const j = written(3);
    const head = readFileSync(j.headPath, 'utf8');
    j.append(ev('s4'));
    j.append(ev('s5'));
    j.append(ev('s6'));
    writeFileSync(j.headPath, head);
    expect(reread(j).damage).toBeUndefined();
    expect(steps(j.read().events)).toHaveLength(6);
  });

  it('a torn last line beyond the head is evidence: the next writer keeps what it said, then cuts it off', () => {
    const j = written(2);
    appendFileSync(j.path, '{"seq":3,"prev":"abc","type":"step.started","step":"deploy-backend","attempt":1,"pl'); // kill -9 mid-write
    const read = j.read();
    expect(read.damage).toBeUndefined();
    expect(read.torn).toMatchObject({ line: 3, seq: 3, type: 'step.started', step: 'deploy-backend' });
    const next = journalIn(join(j.path, '..', '..', '..'));
    next.append(ev('s3'));
    const after = next.read();
    expect(after.damage).toBeUndefined();
    expect(after.events.map((e) => e.type)).toEqual(['step.interrupted', 'step.interrupted', 'journal.torn', 'step.interrupted']);
    expect(after.events[2]).toMatchObject({ line: 3, fragment: { type: 'step.started', step: 'deploy-backend' } });
    expect(readFileSync(j.path, 'utf8')).not.toContain('"pl\n');
  });

  it('a torn line the head already counted is damage (it was whole once)', () => {
    const j = written(3);
    rewrite(j, (ls) => [ls[0]!, ls[1]!, ls[2]!.slice(0, 40)], false);
    expect(reread(j).damage).toMatchObject({ line: 3 });
  });

  it('refuses to append to a damaged journal', () => {
    const j = written(3);
    rewrite(j, (ls) => ls.filter((_, i) => i !== 0));
    expect(() => j.append(ev('s4'))).toThrow(JournalDamagedError);
  });

  it('a write the device refuses (ENOSPC from /dev/full) throws a JournalWriteError naming the path, and leaves no line', () => {
    const dir = testdir();
    const j = journalIn(dir);
    j.append(ev('s1'));
    const full = new Journal(join(dir, 'full.ndjson'), join(dir, 'heads', 'full.json'));
    symlinkSync('/dev/full', full.path);
    let error: unknown;
    try {
      full.append(ev('s1'));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(JournalWriteError);
    expect((error as JournalWriteError).code).toBe('ENOSPC');
    expect((error as Error).message).toContain(full.path);
    expect(existsSync(full.headPath)).toBe(false);
  });

  it('makes its directories when they are missing, at the first append or later', () => {
    const j = journalIn();
    expect(existsSync(dirname(j.path))).toBe(false);
    j.append(ev('s1'));
    // A heads directory removed meanwhile is made again: the head still follows every line.
    rmSync(dirname(j.headPath), { recursive: true });
    j.append(ev('s2'));
    expect(JSON.parse(readFileSync(j.headPath, 'utf8'))).toMatchObject({ seq: 2 });
    expect(steps(reread(j).events)).toEqual(['s1', 's2']);
    expect(reread(j).damage).toBeUndefined();
  });

  it('a failing fence stops the append before anything is written', () => {
    const j = written(1);
    j.fence = () => {
      throw new Error('lock lost');
    };
    expect(() => j.append(ev('s2'))).toThrow('lock lost');
    expect(lines(j)).toHaveLength(1);
  });

  it('masks secrets inside values before encoding, whatever characters they hold', () => {
    const secret = 'p"a\\ss\nwörd';
    const dir = testdir();
    const j = new Journal(join(dir, 'j.ndjson'), join(dir, 'h.json'), (text) => text.replaceAll(secret, '***'));
    j.append({ ...ev('a'), step: `token ${secret}` } as DurableEvent);
    const raw = readFileSync(j.path, 'utf8');
    expect(raw).not.toContain('p\\"a');
    expect(raw).not.toContain('w\\u00f6rd');
    expect(raw).not.toContain('wörd');
    expect(readJournal(j.path, j.headPath).events[0]).toMatchObject({ step: 'token ***' });
  });

  it('reads what another writer appended since (incrementally, chain checked across)', () => {
    const dir = testdir();
    const a = journalIn(dir);
    const b = journalIn(dir);
    a.append(ev('s1'));
    expect(b.read().events).toHaveLength(1);
    b.append(ev('s2'));
    a.append(ev('s3'));
    expect(steps(a.read().events)).toEqual(['s1', 's2', 's3']);
    expect(steps(b.read().events)).toEqual(['s1', 's2', 's3']);
  });
});

describe('Journal: what is fsynced (DURABILITY in events.ts)', () => {
  const at = (type: 'step.succeeded' | 'step.started' | 'step.interrupted', step: string): DurableEvent =>
    type === 'step.succeeded' ? { type, step, settledBy: 'run', runId: 'r', ts: new Date().toISOString() }
      : type === 'step.started' ? { type, step, attempt: 1, plan: { summary: step, changes: [] }, runId: 'r', ts: new Date().toISOString() }
        : { type, step, runId: 'r', ts: new Date().toISOString() };
  const headOf = (j: Journal) => JSON.parse(readFileSync(j.headPath, 'utf8')) as { seq: number };

  it('an event only bookkeeping follows is written at once but counted by the head only with the next fsynced one', () => {
    const j = journalIn();
    j.append(at('step.started', 'a'));
    j.append(at('step.succeeded', 'a'));
    // Written: another process sees it now; not fsynced: the head still names the line before.
    expect(steps(reread(j).events)).toEqual(['a', 'a']);
    expect(reread(j).damage).toBeUndefined();
    expect(headOf(j).seq).toBe(1);
    j.append(at('step.started', 'b'));
    expect(headOf(j).seq).toBe(3);
    expect(steps(reread(j).events)).toEqual(['a', 'a', 'b']);
  });

  it('the head is overwritten in place, a fixed length, never through a temporary file', async () => {
    const { readdirSync } = await import('node:fs');
    const j = written(2);
    const inode = statSync(j.headPath).ino;
    j.append(ev('s3'));
    expect(statSync(j.headPath).ino).toBe(inode);
    expect(readdirSync(dirname(j.headPath))).toEqual(['r.json']);
    // A head longer than the fixed length (an older release's, a hand edit) is cut to it.
    writeFileSync(j.headPath, `${readFileSync(j.headPath, 'utf8').trimEnd()}${' '.repeat(500)}`);
    j.append(ev('s4'));
    expect(statSync(j.headPath).size).toBe(128);
    expect(headOf(j).seq).toBe(4);
    expect(reread(j).damage).toBeUndefined();
  });

  it('a head is made whole or not at all: when it cannot be made, the line goes too and no empty head is left', async () => {
    const { mkdirSync } = await import('node:fs');
    const j = journalIn();
    // The new head is written aside first: a directory in the way makes that fail.
    mkdirSync(`${j.headPath}.${process.pid}.tmp`, { recursive: true });
    expect(() => j.append(at('step.started', 'a'))).toThrow(JournalWriteError);
    expect(existsSync(j.headPath)).toBe(false);
    expect(readFileSync(j.path, 'utf8')).toBe('');
    rmSync(`${j.headPath}.${process.pid}.tmp`, { recursive: true });
    j.append(at('step.started', 'a'));
    expect(headOf(j).seq).toBe(1);
    expect(reread(j).damage).toBeUndefined();
  });

  it('a journal ending in lines the head does not count yet (a crash before the next fsync) reads whole, and the next writer seals onto them', () => {
    const j = journalIn();
    j.append(at('step.started', 'a'));
    j.append(at('step.succeeded', 'a'));
    const next = journalIn(join(j.path, '..', '..', '..'));
    expect(next.read().damage).toBeUndefined();
    next.append(at('step.interrupted', 'b'));
    expect(steps(reread(j).events)).toEqual(['a', 'a', 'b']);
    expect(headOf(j).seq).toBe(3);
  });
});

describe('Journal: a torn tail is never lost', () => {
  it('if the append that would keep its evidence fails, the torn bytes are put back', () => {
    // Long step names: two lines and the torn tail fit in 1 KiB, the evidence line does not.
    const long = (n: number) => `s${n}-${'x'.repeat(250)}`;
    const j = journalIn();
    j.append(ev(long(1)));
    j.append(ev(long(2)));
    const tornText = '{"seq":3,"prev":"abc","type":"step.started","step":"deploy-backend","attempt":1,"pl';
    appendFileSync(j.path, tornText);
    expect(statSync(j.path).size).toBeLessThan(1024);
    // A real write failure after the cut: a process whose files may not grow past 1 KiB
    // (it runs the built dist/engine/journal.js: `npm test` builds first)
    // (`ulimit -f 1`; Node ignores SIGXFSZ, so the write fails with EFBIG).
    const script = `import { Journal } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/engine/journal.js')).href)};
      const j = new Journal(${JSON.stringify(j.path)}, ${JSON.stringify(j.headPath)});
      try { j.append({ type: 'step.interrupted', step: 's3', runId: 'r', ts: new Date().toISOString() }); console.log('appended'); }
      catch (err) { console.log(err.name, err.code); }`;
    const child = spawnSync('bash', ['-c', 'ulimit -f 1 && exec node --input-type=module -e "$0"', script], { encoding: 'utf8' });
    expect(child.stdout.trim()).toBe('JournalWriteError EFBIG');
    expect(readFileSync(j.path, 'utf8').endsWith(tornText)).toBe(true);
    expect(reread(j).torn).toMatchObject({ type: 'step.started', step: 'deploy-backend' });
  });

  it('a torn evidence line still names the step whose intent it kept', async () => {
    const { fragmentOf } = await import('../../src/engine/journal-line.js');
    const line = '{"seq":4,"prev":"00","type":"journal.torn","runId":"r","ts":"t","line":3,"fragment":{"type":"step.started","step":"deploy-backend"},"te';
    expect(fragmentOf(line)).toMatchObject({ seq: 4, type: 'step.started', step: 'deploy-backend' });
  });

  it('the journal never leads its head by more than one line, torn-tail recovery included', () => {
    const j = written(2);
    appendFileSync(j.path, '{"seq":3,"prev":"abc","type":"step.started","step":"a"');
    j.append(ev('s3'));
    const head = JSON.parse(readFileSync(j.headPath, 'utf8')) as { seq: number };
    expect(head.seq).toBe(lines(j).length);
  });
});

describe('RunStore latest', () => {
  it('two runs started in the same second: latest is the one that started last', async () => {
    const { RunStore } = await import('../../src/engine/runs.js');
    const { LocalBackend } = await import('../../src/engine/backends/local.js');
    const store = new RunStore(new LocalBackend(testdir()));
    const created = async (id: string, ts: string) => {
      const run = await store.create(id);
      await run.journal.append({ type: 'run.created', runId: id, ts, playbook: { name: 'p', file: 'p.yaml', steps: [] }, release: {}, context: {}, dryRun: false, by: { who: 't', host: 'h', pid: 1 } });
    };
    await created('20261201-120000-ffffffff', '2026-12-01T12:00:00.100Z');
    await created('20261201-120000-00000000', '2026-12-01T12:00:00.900Z');
    expect((await store.open('latest')).id).toBe('20261201-120000-00000000');
  });
});
