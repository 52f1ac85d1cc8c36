/**
 * The built table of what the shipped files parse to (dist/parsed-builtins.json, written
 * by `npm run build`): it covers the config template and every built-in playbook, each entry is
 * exactly what parsing the text gives, and a YamlSource served from it places problems where a
 * parse would.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { CONFIG_TEMPLATE } from '../../src/playbook/config-template.js';
import { actionCatalog } from '../../src/actions/registry.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import { BUILTIN_PLAYBOOKS } from '../../src/playbook/locate.js';

type YamlSourceModule = typeof import('../../src/playbook/yaml-source.js');
const SHIPPED = [CONFIG_TEMPLATE, ...readdirSync(BUILTIN_PLAYBOOKS).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(BUILTIN_PLAYBOOKS, f), 'utf8'))];

describe('parsed built-ins', () => {
  let built: YamlSourceModule;
  let table: Record<string, { json: string; steps?: number }>;

  beforeAll(async () => {
    // The built module: it reads the table next to itself, as the installed CLI does.
    built = (await import(new URL('../../dist/playbook/yaml-source.js', import.meta.url).href)) as YamlSourceModule;
    table = JSON.parse(readFileSync(built.PARSED_BUILTINS, 'utf8')) as typeof table;
  });

  it('lists the config template and every built-in playbook, each as its parse', () => {
    expect(SHIPPED.length).toBeGreaterThan(5);
    expect(Object.keys(table)).toHaveLength(SHIPPED.length);
    for (const text of SHIPPED) expect(JSON.parse(table[text]!.json)).toEqual(parseDocument(text).toJS());
  });

  it('each built-in playbook is marked with the step count a full check gives it now; the config template is not a playbook', () => {
    for (const file of readdirSync(BUILTIN_PLAYBOOKS).filter((f) => f.endsWith('.yaml'))) {
      const text = readFileSync(join(BUILTIN_PLAYBOOKS, file), 'utf8');
      const checked = loadPlaybook(join(BUILTIN_PLAYBOOKS, file), actionCatalog, text);
      expect(checked.ok, file).toBe(true);
      expect(table[text]!.steps, file).toBe(checked.ok ? checked.loaded.playbook.steps.length : undefined);
    }
    expect(table[CONFIG_TEMPLATE]!.steps).toBeUndefined();
  });

  it('a shipped text gives the same data and problem positions as parsing it', () => {
    const fromTable = new built.YamlSource('release.config.yaml', CONFIG_TEMPLATE);
    // One more comment line at the end: not in the table, so parsed; positions above it are equal.
    const parsed = new built.YamlSource('release.config.yaml', `${CONFIG_TEMPLATE}# edited\n`);
    expect(fromTable.syntaxProblems).toEqual([]);
    expect(fromTable.data()).toEqual(parsed.data());
    const at = fromTable.problemAt(['app', 'version'], 'bad version');
    expect(at).toEqual(parsed.problemAt(['app', 'version'], 'bad version'));
    expect(at.line).toBe(CONFIG_TEMPLATE.split('\n').findIndex((l) => /^\s+version: /.test(l)) + 1);
    expect(fromTable.problemAt(['app', 'nope'], 'unknown field "nope"', 'key')).toEqual(parsed.problemAt(['app', 'nope'], 'unknown field "nope"', 'key'));
  });

  it('each data() is a fresh copy (a caller may change what it gets)', () => {
    const source = new built.YamlSource('release.config.yaml', CONFIG_TEMPLATE);
    (source.data() as { app: { name: string } }).app.name = 'changed';
    expect((source.data() as { app: { name: string } }).app.name).toBe('Example Shop');
  });

  it('a text that differs from the shipped one is parsed, syntax errors and all', () => {
    const broken = new built.YamlSource('release.config.yaml', `${CONFIG_TEMPLATE}app: [\n`);
    expect(broken.syntaxProblems.length).toBeGreaterThan(0);
    expect(broken.syntaxProblems[0]!.line).toBeGreaterThan(CONFIG_TEMPLATE.split('\n').length - 2);
  });
});
