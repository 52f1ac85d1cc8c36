import { readFileSync } from 'node:fs';

/** A JSON file's value; undefined when the file is absent. Unparsable content throws. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  return JSON.parse(text) as unknown;
}
