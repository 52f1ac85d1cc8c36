/**
 * One journal line: the event with its sequence number and the hash of the line before it, closed
 * by a checksum of everything before the checksum. A changed byte breaks the checksum, a missing,
 * repeated or moved line breaks the sequence or the chain: nothing is skipped unnoticed.
 *
 *   {"seq":3,"prev":"9f2c…","type":"step.started",…,"sum":"41ab…"}
 */
import { hash } from 'node:crypto';
import type { DurableEvent } from './events.js';

/** The chain's anchor: the `prev` of line 1. */
export const GENESIS = '0'.repeat(32);

const SUM_KEY = ',"sum":"';
/** The sum's key, its 32 hex digits and the closing `"}`. */
const TAIL = SUM_KEY.length + 32 + 2;
const SEQ_KEY = '{"seq":';
const PREV_KEY = ',"prev":"';
/** `,"prev":"<32 hex>"` and the comma after it, cut out before parsing (the comma before `"prev"` is kept). */
const PREV_FIELD = PREV_KEY.length + 32 + 2;
const HEX32 = /^[0-9a-f]{32}$/;
/** Tested, never executed: no match array per line. */
const LEAD = /^\{"seq":\d+,"prev":"[0-9a-f]{32}",/;

export interface SealedLine {
  text: string;
  seq: number;
  sum: string;
}

export function sealLine(event: DurableEvent, seq: number, prev: string): SealedLine {
  const { seq: _seq, ...rest } = event;
  const body = JSON.stringify({ seq, prev, ...rest });
  const sum = digest(body);
  return { text: `${body.slice(0, -1)},"sum":"${sum}"}`, seq, sum };
}

export type OpenedLine =
  | { ok: true; event: DurableEvent; seq: number; prev: string; sum: string }
  | { ok: false; problem: string };

const NO_CHECKSUM: OpenedLine = { ok: false, problem: 'it has no checksum (not a whole journal line)' };
const MISMATCH: OpenedLine = { ok: false, problem: 'its checksum does not match its content (changed or corrupted)' };

/**
 * Where a line lies in the bytes it was read from: [start, end), without its newline, in a buffer
 * the reader owns. A reader moves one along its buffer rather than making a view per line.
 */
export interface LineBytes {
  buffer: Buffer;
  start: number;
  end: number;
}

/**
 * Verifies and parses one line. `bytes`, when given, are the line as read from disk: the checksum
 * is then taken over them, not over the text encoded again. `expectedPrev`, when given, is the sum
 * of the line before: a line that follows it is cut without a regex. A reader of 100k lines calls
 * this 100k times.
 */
export function openLine(text: string, bytes?: LineBytes, expectedPrev?: string): OpenedLine {
  // `,"sum":"<32 hex>"}` closes every sealed line: 42 characters, all ASCII, so 42 bytes too.
  const at = text.length - TAIL;
  if (at < 0 || !text.startsWith(SUM_KEY, at) || !text.endsWith('"}')) return NO_CHECKSUM;
  // From the bytes only where the sum's comma is where an ASCII tail puts it (a tail with other
  // characters fails the sum check below either way).
  const digested = bytes && bytes.buffer[bytes.end - TAIL] === 0x2c ? digestBytes(bytes) : digest(`${text.slice(0, at)}}`);
  if (!text.startsWith(digested, at + SUM_KEY.length)) return HEX32.test(text.slice(at + SUM_KEY.length, -2)) ? MISMATCH : NO_CHECKSUM;
  // Kept for every line of a journal read: from the bytes it is a string of its own, 48 bytes,
  // where the digest's slice keeps all 64 hex digits and a slice object alive.
  const sum = bytes ? bytes.buffer.toString('latin1', bytes.end - 34, bytes.end - 2) : digested;
  // Sealed lines begin `{"seq":N,"prev":"<32 hex>",`: the hash is cut out before parsing, so
  // the parsed object is the event itself (no copy per line: a long journal's garbage).
  const cut = prevAt(text, expectedPrev);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(cut < 0 ? `${text.slice(0, at)}}` : `${text.slice(0, cut + 1)}${text.slice(cut + PREV_FIELD, at)}}`) as Record<string, unknown>;
  } catch {
    return { ok: false, problem: 'it is not valid JSON' };
  }
  let prev: unknown = cut < 0 ? undefined : text.slice(cut + PREV_KEY.length, cut + PREV_KEY.length + 32);
  if (cut < 0) ({ prev, ...parsed } = parsed);
  const seq = parsed.seq;
  if (typeof seq !== 'number' || typeof prev !== 'string' || typeof parsed.type !== 'string') {
    return { ok: false, problem: 'it lacks a sequence number, a previous hash or a type' };
  }
  return { ok: true, event: parsed as unknown as DurableEvent, seq, prev, sum };
}

/**
 * Where `,"prev":"<32 hex>"` starts in a line that begins `{"seq":<digits>,"prev":"<32 hex>",`
 * (every sealed line), or -1 for any other layout, which is then parsed whole.
 */
function prevAt(text: string, expected: string | undefined): number {
  if (expected !== undefined && text.startsWith(SEQ_KEY)) {
    const at = text.indexOf(PREV_KEY, SEQ_KEY.length);
    const hex = at + PREV_KEY.length;
    if (at > SEQ_KEY.length && digitsOnly(text, SEQ_KEY.length, at) && text.startsWith(expected, hex) && text.startsWith('",', hex + 32)) return at;
  }
  // The body only: the comma of `,"sum"` must not pass for the one after the prev.
  const body = text.slice(0, text.length - TAIL);
  return LEAD.test(body) ? body.indexOf(PREV_KEY, SEQ_KEY.length) : -1;
}

function digitsOnly(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** What can still be read off a line cut short: `{"seq":7,"prev":"…","type":"step.started",…"step":"deploy-backend"`. */
export function fragmentOf(text: string): { seq?: number; type?: string; step?: string } {
  const seq = /^\{"seq":(\d+)/.exec(text)?.[1];
  // A torn evidence line still carries the fragment it kept: read that one.
  const nested = /"type":"journal\.torn".*?"fragment":(\{[^}]*)/.exec(text)?.[1];
  const inner = nested ?? text;
  const type = /"type":"([a-z.-]+)"/.exec(inner)?.[1];
  const step = /"step":"([^"\\]+)"/.exec(inner)?.[1];
  return { ...(seq ? { seq: Number(seq) } : {}), ...(type ? { type } : {}), ...(step ? { step } : {}) };
}

/** One-shot hashing (Node 20.12+): no Hash object per line, which a 100k-line journal notices. */
function digest(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex').slice(0, 32);
}

/**
 * The checksum of a sealed line's bytes: it covers the line up to its sum, closed by `}` where the
 * `,` of `,"sum"` is. That one byte is swapped in place for the hash and put back, so no line is
 * copied (the caller checked that the line ends with the sum's 42 ASCII bytes).
 */
function digestBytes({ buffer, start, end }: LineBytes): string {
  const cut = end - TAIL;
  buffer[cut] = 0x7d;
  try {
    return digest(buffer.subarray(start, cut + 1));
  } finally {
    buffer[cut] = 0x2c;
  }
}
