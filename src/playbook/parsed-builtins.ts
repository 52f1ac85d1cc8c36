/**
 * Built with the package (`npm run build`): what each file the tool ships parses to — the
 * built-in playbooks and the config template `release init` writes (also the --sandbox example
 * app) — keyed by its text (read back by shipped-texts.ts). YamlSource looks a text up there before
 * parsing it, so those files cost no YAML parse; the config schema still checks the data each run.
 *
 * A built-in playbook that passes every check of playbook/load.ts is marked with its step count:
 * its verdict depends only on its text and on the checks and actions built with it, so `release
 * validate` reports it without loading the checker or any action. A flip still loads and checks
 * the playbook it runs.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { actionCatalog } from '../actions/registry.js';
import { CONFIG_TEMPLATE } from './config-template.js';
import { loadPlaybook } from './load.js';
import { BUILTIN_PLAYBOOKS } from './locate.js';
import { PARSED_BUILTINS, type ShippedText } from './shipped-texts.js';

/** Only a text that parses without an error, and whose data survives JSON unchanged, is listed. */
export function parsedBuiltinsTable(): Record<string, ShippedText> {
  const playbooks = readdirSync(BUILTIN_PLAYBOOKS).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(BUILTIN_PLAYBOOKS, f));
  const texts: [text: string, playbookFile?: string][] = [[CONFIG_TEMPLATE], ...playbooks.map((file): [string, string] => [readFileSync(file, 'utf8'), file])];
  const table: Record<string, ShippedText> = {};
  for (const [text, playbookFile] of texts) {
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length) continue;
    const data: unknown = doc.toJS();
    const json = JSON.stringify(data);
    if (json === undefined || !isDeepStrictEqual(JSON.parse(json), data)) continue;
    const checked = playbookFile ? loadPlaybook(playbookFile, actionCatalog, text) : undefined;
    table[text] = checked?.ok ? { json, steps: checked.loaded.playbook.steps.length } : { json };
  }
  return table;
}

export function writeParsedBuiltins(file = fileURLToPath(PARSED_BUILTINS)): string {
  writeFileSync(file, `${JSON.stringify(parsedBuiltinsTable(), null, 1)}\n`);
  return file;
}
