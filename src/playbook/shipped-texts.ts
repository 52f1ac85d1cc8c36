/**
 * What the build learnt about each file the tool ships (parsed-builtins.ts writes it): what its text
 * parses to, and for a built-in playbook, that it passed every check `release validate` makes.
 * Keyed by the whole text, not a hash of it: a lookup is exact, and costs no node:crypto (a few ms
 * of start-up to load it). A text that changed since the build is not found, and is parsed and
 * checked as any other.
 */
import { readFileSync } from 'node:fs';

export interface ShippedText {
  /** What the text parses to, as JSON. */
  json: string;
  /** A playbook that passed the schema and every rule of playbook/load.ts with the build's actions: its step count. */
  steps?: number;
}

/**
 * Where the build writes the table: dist/, one level up from this module both as tsc emits it
 * (dist/playbook/) and in the bundle (dist/bundle/).
 */
export const PARSED_BUILTINS = new URL('../parsed-builtins.json', import.meta.url);

let table: Map<string, ShippedText> | undefined;

/** The table's entry for this exact text (the table is read once; empty when it was not built). */
export function shippedText(text: string): ShippedText | undefined {
  if (!table) {
    try {
      table = new Map(Object.entries(JSON.parse(readFileSync(PARSED_BUILTINS, 'utf8')) as Record<string, ShippedText>));
    } catch {
      table = new Map();
    }
  }
  return table.get(text);
}
