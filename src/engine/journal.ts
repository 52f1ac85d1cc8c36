/**
 * The run's append-only journal: NDJSON lines sealed with a sequence number, the previous line's
 * hash and a checksum (journal-line.ts), and a head record (last sequence number and hash) kept
 * outside the run's directory, so a shortened or restored older journal is told apart from a
 * current one.
 *
 * An append is whole or absent: it runs under a file mutex (another process, `release signoff`,
 * may append too), checks the fence (is the lock still ours?) and writes the whole line. An event
 * that must be on disk before anything follows (`DURABILITY` in events.ts) is then fsynced, with
 * every line before it, and the head moves to it: the head counts only lines a power cut keeps.
 * Any failure cuts the line off again and throws, so the side effect the event announces never
 * goes ahead. On reading, the only damage tolerated is a torn last line beyond the head (a crash
 * mid-append); it is evidence, not noise (see `TornTail`).
 */
import { closeSync, existsSync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DURABILITY, type DurableEvent } from './events.js';
import { MutexTimeout, withFileMutex } from './file-mutex.js';
import { fragmentOf, GENESIS, openLine, sealLine, type LineBytes } from './journal-line.js';
import { shareRepeats } from './shared-strings.js';
import { mapStrings } from '../util/map-strings.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readJsonFile } from '../util/read-json.js';
import { unlinkQuietly } from '../util/unlink-quietly.js';

/** The first line that cannot be trusted, and what it held. */
export interface JournalDamage {
  /** 1-based line number in the journal file (0: the journal as a whole, e.g. shorter than its head). */
  line: number;
  problem: string;
  /** The line as it is on disk (cut to 300 characters), or what is missing. */
  text: string;
}

/** A last line cut short by a crash or a full disk, beyond the head: the append never completed. */
export interface TornTail {
  line: number;
  seq?: number;
  type?: string;
  step?: string;
  text: string;
}

export interface JournalRead {
  /** Every event up to the first damage, verified. */
  events: DurableEvent[];
  damage?: JournalDamage;
  torn?: TornTail;
}

export interface Head {
  seq: number;
  sum: string;
}

/** An append that did not reach the disk: the run must stop before the effect it announced. */
export class JournalWriteError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    cause: unknown,
  ) {
    super(`could not write ${path}: ${code === 'ENOSPC' ? 'no space left on the device' : (cause as Error)?.message ?? code}`, { cause });
    this.name = 'JournalWriteError';
  }
}

export class JournalDamagedError extends Error {
  constructor(
    readonly path: string,
    readonly damage: JournalDamage,
  ) {
    super(`the journal ${path} is damaged at line ${damage.line}: ${damage.problem}`);
    this.name = 'JournalDamagedError';
  }
}

interface Verified {
  /** Bytes of whole, verified lines. */
  offset: number;
  /** Where the last verified line starts: re-checked before trusting the cache. */
  lastStart: number;
  events: DurableEvent[];
  /** sums[i] is the checksum of event seq i+1. */
  sums: string[];
  damage?: JournalDamage;
}

export class Journal {
  /** Checked inside every append, before writing: throws when this writer may no longer append. */
  fence: (() => void) | undefined;
  private cache: Verified = empty();

  constructor(
    readonly path: string,
    readonly headPath: string,
    private readonly redact: (text: string) => string = (t) => t,
  ) {}

  /** Seals and writes one event (fsynced when its type says so), or throws having written nothing. Returns it with its seq. */
  append(event: DurableEvent): DurableEvent {
    try {
      return inDirOf(this.path, () => withFileMutex(`${this.path}.mutex`, () => this.appendLocked(event)));
    } catch (err) {
      throw asWriteError(err, this.path);
    }
  }

  /** Every event, verified (a copy: later appends never change it). */
  read(): JournalRead {
    const read = this.current();
    return { ...read, events: read.events.slice() };
  }

  /** The events after the first `seen`, verified; reading costs only what was appended since. */
  readSince(seen: number): JournalRead {
    const read = this.current();
    return { ...read, events: read.events.slice(seen) };
  }

  /** The verified state of the file now; `events` is the cache's own array. */
  private current(): JournalRead {
    // Head first: a writer moves the head after the line, so a concurrent append can only make
    // the journal look longer than the head. Appends that finish while we scan could make it look
    // more than one line longer: if the head moved meanwhile, read again.
    for (let tries = 0; ; tries++) {
      const head = readHead(this.headPath);
      const scanned = this.scan(head);
      const read = withHeadCheck(scanned.verified, scanned.torn, head, this.headPath);
      if (!read.damage || tries >= 3 || JSON.stringify(readHead(this.headPath)) === JSON.stringify(head)) return read;
    }
  }

  /**
   * For a human's repair: the whole damaged file is kept aside, and the journal becomes its
   * verified lines, byte for byte, with a head to match. Returns where the damaged file went.
   */
  setAside(label: string): string {
    return withFileMutex(`${this.path}.mutex`, () => {
      this.cache = empty();
      const read = this.current();
      const keep = this.cache.offset;
      const aside = `${this.path.replace(/\.ndjson$/, '')}.damaged-${label}.ndjson`;
      const text = readFileSync(this.path);
      writeWhole(aside, text);
      writeWhole(`${this.path}.tmp`, text.subarray(0, keep));
      renameSync(`${this.path}.tmp`, this.path);
      const last = this.cache.sums.at(-1);
      // Fsynced: this head moves back, and a power cut must not leave the later one.
      if (last) writeHead(this.headPath, { seq: read.events.length, sum: last }, true);
      else unlinkQuietly(this.headPath);
      this.cache = empty();
      return aside;
    });
  }

  private appendLocked(event: DurableEvent): DurableEvent {
    const current = this.current();
    if (current.damage) throw new JournalDamagedError(this.path, current.damage);
    this.fence?.();
    const torn = current.torn;
    if (torn) {
      // Its own append, fsynced (DURABILITY), so the evidence is on disk before the cut is relied
      // on. What the torn line said is kept before it is cut: an intent there puts its step in doubt.
      const fragment = { ...(torn.type ? { type: torn.type } : {}), ...(torn.step ? { step: torn.step } : {}) };
      this.write({ type: 'journal.torn', runId: event.runId, ts: event.ts, line: torn.line, fragment, text: torn.text }, DURABILITY['journal.torn'] === 'now');
    }
    return this.write(mapStrings(event, this.redact), DURABILITY[event.type] === 'now');
  }

  /** One sealed line at the end, written whole (and, `durable`, fsynced and counted by the head), or not at all. */
  private write(event: DurableEvent, durable: boolean): DurableEvent {
    const { offset, sums } = this.cache;
    const seq = sums.length + 1;
    const sealed = sealLine(event, seq, sums.at(-1) ?? GENESIS);
    const bytes = Buffer.from(`${sealed.text}\n`);
    // Append mode: after the truncation, every write lands at the end, even on a device.
    const fd = openSync(this.path, 'a');
    try {
      const size = fstatSync(fd).size;
      // A torn tail beyond `offset`: kept in memory, put back if this append fails.
      const tail = size > offset ? readBytes(this.path, offset, size - offset) : Buffer.alloc(0);
      if (size !== offset) ftruncateSync(fd, offset);
      try {
        writeAll(fd, bytes);
        if (durable) {
          // Data and length only (fdatasync): what a reader after a power cut needs of an append.
          fdatasyncSync(fd);
          writeHead(this.headPath, { seq, sum: sealed.sum });
        }
      } catch (err) {
        cutBack(fd, offset, tail);
        throw err;
      }
    } finally {
      closeSync(fd);
    }
    const written = openLine(sealed.text);
    if (!written.ok) throw new Error('a sealed line did not verify');
    // What this writer put on disk is known exactly: the next read starts after it.
    this.cache.events.push(written.event);
    this.cache.sums.push(written.sum);
    this.cache.lastStart = offset;
    this.cache.offset = offset + bytes.length;
    return written.event;
  }

  /** Verifies only what was appended since the last read (another process's lines included). */
  private scan(head: Head | undefined | 'unreadable'): { verified: Verified; torn?: TornTail } {
    let size = 0;
    try {
      size = statSync(this.path).size;
    } catch {
      this.cache = empty();
      return { verified: this.cache };
    }
    // Unchanged since the last look (same length, and the head still names a line of this
    // cache, the last fsynced one): nothing to read. Any rewrite moves the length or the head,
    // and is read anew.
    const { offset, sums, damage } = this.cache;
    if (size === offset && !damage && head !== undefined && head !== 'unreadable' && sums[head.seq - 1] === head.sum) return { verified: this.cache };
    if (size < this.cache.offset || this.cache.damage || !this.lastLineIntact()) this.cache = empty();
    const base = this.cache;
    if (size === base.offset) return { verified: base };
    const bytes = readBytes(this.path, base.offset, size - base.offset);
    // Extends the cache in place: what was verified stays verified, and copying it would make a
    // check cost the whole history. Lines are cut from the bytes, so offsets need no re-encoding.
    const verified = base;
    let torn: TornTail | undefined;
    let lineNo = base.events.length;
    let pos = 0;
    const line: LineBytes = { buffer: bytes, start: 0, end: 0 };
    while (pos < bytes.length) {
      const nl = bytes.indexOf(0x0a, pos);
      const raw = bytes.toString('utf8', pos, nl === -1 ? bytes.length : nl);
      lineNo += 1;
      if (nl === -1) {
        const opened = openLine(raw);
        // A whole line that only lacks its newline is still cut short: the append did not finish.
        torn = { line: lineNo, ...fragmentOf(raw), ...(opened.ok ? { seq: opened.seq } : {}), text: raw.slice(0, 300) };
        break;
      }
      line.start = pos;
      line.end = nl;
      const problem = checkNext(raw, verified, line);
      if (problem) {
        verified.damage = { line: lineNo, problem, text: raw.slice(0, 300) };
        break;
      }
      verified.lastStart = verified.offset;
      verified.offset += nl + 1 - pos;
      pos = nl + 1;
    }
    this.cache = verified;
    return { verified, ...(torn ? { torn } : {}) };
  }

  /**
   * Lines before the cached offset are trusted (an append-only file only grows); the last one is
   * read again, so a journal cut and rewritten since is read anew. Edits further back are found
   * by the next process that opens the journal, which verifies every line.
   */
  private lastLineIntact(): boolean {
    const { offset, lastStart, sums } = this.cache;
    if (offset === 0) return true;
    const opened = openLine(readFrom(this.path, lastStart, offset - lastStart - 1));
    return opened.ok && opened.sum === sums.at(-1);
  }
}

/**
 * Verifies `raw` as the next line after `verified` (seq, chain, run) and, when it holds, adds it.
 * Returns the problem otherwise. Shared by every backend: sealing is the engine's, not theirs.
 * `bytes`: the line as read, when the caller has them (see `openLine`).
 */
export function checkNext(raw: string, verified: { events: DurableEvent[]; sums: string[] }, bytes?: LineBytes): string | undefined {
  const prev = verified.sums.at(-1) ?? GENESIS;
  const opened = openLine(raw, bytes, prev);
  if (!opened.ok) return opened.problem;
  const expected = verified.sums.length + 1;
  if (opened.seq < expected) return `it repeats event #${opened.seq} (a duplicated or reordered line; #${expected} was expected)`;
  if (opened.seq > expected) return `events #${expected}${opened.seq - 1 > expected ? `-#${opened.seq - 1}` : ''} are missing before it (it is #${opened.seq})`;
  if (opened.prev !== prev) return 'it does not follow the line before it (its previous-hash differs)';
  const first = verified.events[0];
  if (first && opened.event.runId !== first.runId) return `it belongs to run ${opened.event.runId}, not ${first.runId}`;
  const before = verified.events.at(-1);
  if (before) shareRepeats(opened.event as unknown as Record<string, unknown>, before as unknown as Record<string, unknown>);
  verified.events.push(opened.event);
  verified.sums.push(opened.sum);
  return undefined;
}

/** Reads a journal file once (status, log, tests); `headPath` enables the stale-copy check. */
export function readJournal(path: string, headPath: string): JournalRead {
  return new Journal(path, headPath).read();
}

export function readHead(path: string): Head | undefined | 'unreadable' {
  try {
    const head = readJsonFile(path) as Head | undefined;
    if (head === undefined) return undefined;
    return typeof head.seq === 'number' && typeof head.sum === 'string' ? head : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

function withHeadCheck(verified: Verified, torn: TornTail | undefined, head: Head | undefined | 'unreadable', headPath: string): JournalRead {
  const read: JournalRead = { events: verified.events };
  const damage = verified.damage ?? headDamage(verified, head, headPath);
  if (damage) return { ...read, damage };
  if (!torn) return read;
  // A torn line the head already counted was whole once: it was damaged afterwards.
  const headSeq = head === undefined || head === 'unreadable' ? 0 : head.seq;
  if (torn.seq !== undefined && torn.seq <= headSeq) return { ...read, damage: { line: torn.line, problem: 'it was cut short after it had been written whole', text: torn.text } };
  return { ...read, torn };
}

/**
 * Is the journal as long as what was written? The head moves after each fsynced line, so the
 * journal may lead it (lines not fsynced yet, a crash in between, a head a power cut did not
 * keep) but never trail it: a journal longer than its head, each extra line sealed onto the
 * last, is no older copy. A missing head is damage once the journal has more than its first line.
 */
function headDamage(verified: Verified, head: Head | undefined | 'unreadable', headPath: string): JournalDamage | undefined {
  const count = verified.sums.length;
  if (head === 'unreadable') return { line: 0, problem: `its head record ${headPath} is unreadable`, text: '' };
  if (head === undefined) return count > 1 ? { line: 0, problem: `its head record ${headPath} is missing`, text: '' } : undefined;
  return headMismatch(verified.sums, head, `head record ${headPath}`, 'this is a shortened or restored older copy');
}

/**
 * The head's two checks, shared by every backend: the journal may lead its head but never trail
 * it, and the event the head names must be the one verified at its seq. `where` names the head,
 * `shortened` says what a journal trailing it means there.
 */
export function headMismatch(sums: string[], head: Head, where: string, shortened: string): JournalDamage | undefined {
  const count = sums.length;
  if (head.seq > count) {
    return { line: count + 1, problem: `the journal ends at event #${count}, but events up to #${head.seq} were written (${where}): ${shortened}`, text: `(missing: events #${count + 1}-#${head.seq})` };
  }
  if (head.seq > 0 && sums[head.seq - 1] !== head.sum) {
    return { line: head.seq, problem: `event #${head.seq} is not the one that was written (${where})`, text: '' };
  }
  return undefined;
}

/** Every head is written this long (JSON allows the padding), so one overwrite covers the last. */
const HEAD_BYTES = 128;

/**
 * Moves the head in place: one write of less than a disk sector at offset 0, which a reader sees
 * whole or (rarely) mixed, and then reads again (see `current`). Not fsynced unless asked: after
 * a power cut an older head is fine, the journal may lead it. A new head is written aside, fsynced
 * and renamed into place (once per run): a crash or a full disk while it is made must leave no
 * head rather than an empty one, which reads as damage. (Creating a file at every append, a
 * temporary one to rename, cost more than the journal's own fsync.)
 */
function writeHead(path: string, head: Head, sync = false): void {
  const text = JSON.stringify(head).padEnd(HEAD_BYTES);
  const bytes = Buffer.from(text);
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code !== 'ENOENT') throw err;
    inDirOf(path, () => writeFileAtomic(path, text));
    return;
  }
  try {
    writeAll(fd, bytes, 0);
    // A head written by an older release, or by hand, may be longer than this one.
    if (fstatSync(fd).size > bytes.length) ftruncateSync(fd, bytes.length);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs `fn`, which creates a file in `path`'s directory; when that directory is missing (ENOENT,
 * nothing was written), makes it and runs `fn` once more. Looked for only then, not at every
 * append: a run's and the heads' directories exist after the first.
 */
function inDirOf<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const dir = dirname(path);
    if ((err as NodeJS.ErrnoException)?.code !== 'ENOENT' || existsSync(dir)) throw err;
    mkdirSync(dir, { recursive: true });
    return fn();
  }
}

function writeWhole(path: string, bytes: Buffer): void {
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function empty(): Verified {
  return { offset: 0, lastStart: 0, events: [], sums: [] };
}

/** writeSync may write less than asked (a full disk): loop, and fail rather than leave a torn line. */
function writeAll(fd: number, buf: Buffer, at?: number): void {
  let done = 0;
  while (done < buf.length) {
    const n = writeSync(fd, buf, done, buf.length - done, at === undefined ? null : at + done);
    if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
    done += n;
  }
}

function cutBack(fd: number, offset: number, tail: Buffer = Buffer.alloc(0)): void {
  try {
    ftruncateSync(fd, offset);
    if (tail.length) writeAll(fd, tail);
    fsyncSync(fd);
  } catch {
    // The reader treats whatever is left as a torn tail beyond the head.
  }
}

function readFrom(path: string, offset: number, length: number): string {
  return readBytes(path, offset, length).toString('utf8');
}

function readBytes(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

function asWriteError(err: unknown, path: string): unknown {
  if (err instanceof JournalWriteError || err instanceof JournalDamagedError) return err;
  // Another writer held the journal for seconds: treat it as a failed append, never as a step's failure.
  if (err instanceof MutexTimeout) return new JournalWriteError(path, 'EBUSY', err);
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new JournalWriteError(path, code, err);
  return err;
}
