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
const HEX32 = /^[0-9a-f]{32}$/;

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

export function openLine(text: string): OpenedLine {
  // `,"sum":"<32 hex>"}` closes every sealed line: 42 characters.
  const at = text.length - 42;
  const sum = at >= 0 && text.startsWith(SUM_KEY, at) && text.endsWith('"}') ? text.slice(at + SUM_KEY.length, -2) : undefined;
  if (!sum || !HEX32.test(sum)) return { ok: false, problem: 'it has no checksum (not a whole journal line)' };
  const body = `${text.slice(0, at)}}`;
  if (digest(body) !== sum) return { ok: false, problem: 'its checksum does not match its content (changed or corrupted)' };
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return { ok: false, problem: 'it is not valid JSON' };
  }
  // `seq` stays in the event (it leads the line, so it is the event's first key too); `prev` goes.
  const { prev, ...event } = parsed;
  const seq = event.seq;
  if (typeof seq !== 'number' || typeof prev !== 'string' || typeof event.type !== 'string') {
    return { ok: false, problem: 'it lacks a sequence number, a previous hash or a type' };
  }
  return { ok: true, event: event as unknown as DurableEvent, seq, prev, sum };
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
function digest(text: string): string {
  return hash('sha256', text, 'hex').slice(0, 32);
}
