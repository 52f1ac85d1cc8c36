/**
 * A long journal says the same things line after line (its run id, the event type, the step, a
 * store state polled 100k times), and JSON.parse makes a new string for each: those copies are
 * most of its heap, and most of what the collector moves while it is read. A line just parsed
 * takes the previous line's copy of each string they share at the same place; comparing with
 * one neighbour costs far less than looking every string up in a table.
 */

/** Events are shallow (a record inside an event): deeper values are left as parsed, and no line can nest us out of stack. */
const MAX_DEPTH = 4;

export function shareRepeats(next: Record<string, unknown>, previous: Record<string, unknown>, depth = 0): void {
  for (const key in next) {
    const value = next[key];
    const before = previous[key];
    if (typeof value === 'string') {
      // Equal strings compare equal whichever copy they are: assign, and the duplicate is garbage.
      if (value === before) next[key] = before;
    } else if (depth < MAX_DEPTH && typeof value === 'object' && value !== null && typeof before === 'object' && before !== null && !Array.isArray(value)) {
      shareRepeats(value as Record<string, unknown>, before as Record<string, unknown>, depth + 1);
    }
  }
}
