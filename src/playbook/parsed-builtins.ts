/**
 * Built with the package (`npm run build`): what each file the tool ships parses to — the
 * built-in playbooks and the config template `release init` writes (also the --sandbox example
 * app) — keyed by its text. YamlSource looks a text up there before parsing it, so
 * those files cost no YAML parse; the schema and every rule still check the data each run. A file
 * whose text changed since the build misses the table and is parsed as any other.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { CONFIG_TEMPLATE } from './config-template.js';
import { BUILTIN_PLAYBOOKS } from './locate.js';
import { PARSED_BUILTINS } from './yaml-source.js';

/** Only a text that parses without an error, and whose data survives JSON unchanged, is listed. */
export function parsedBuiltinsTable(): Record<string, string> {
  const texts = [CONFIG_TEMPLATE, ...readdirSync(BUILTIN_PLAYBOOKS).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => readFileSync(join(BUILTIN_PLAYBOOKS, f), 'utf8'))];
  const table: Record<string, string> = {};
  for (const text of texts) {
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length) continue;
    const data: unknown = doc.toJS();
    const json = JSON.stringify(data);
    if (json !== undefined && isDeepStrictEqual(JSON.parse(json), data)) table[text] = json;
  }
  return table;
}

export function writeParsedBuiltins(file = fileURLToPath(PARSED_BUILTINS)): string {
  writeFileSync(file, `${JSON.stringify(parsedBuiltinsTable(), null, 1)}\n`);
  return file;
}
