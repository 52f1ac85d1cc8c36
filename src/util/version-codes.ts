/** Android version codes as people write them: `142` or `140-142` (inclusive). */
import type { VersionCodeRange } from '../providers/stores/port.js';

export function parseVersionCodes(text: string): VersionCodeRange | undefined {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  return start <= end ? { start, end } : undefined;
}

export function formatVersionCodes(r: VersionCodeRange): string {
  return r.start === r.end ? String(r.start) : `${r.start}-${r.end}`;
}

export const VERSION_CODES_HINT = 'write Android version codes as 142 or 140-142 (lowest-highest, inclusive)';
