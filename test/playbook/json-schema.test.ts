/**
 * The JSON Schemas shipped for editors agree with the parser: the files the build wrote are what
 * the zod schemas generate now, the init template and every built-in playbook pass them, and
 * structural mistakes the parser rejects the schema rejects too.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_IN_PACKAGE, CONFIG_SCHEMA_LINE, CONFIG_TEMPLATE } from '../../src/playbook/config-template.js';
import { JSON_SCHEMAS, jsonSchemaOf, jsonSchemaText, type JsonSchemaFile } from '../../src/playbook/json-schema.js';
import { parseReleaseConfig } from '../../src/playbook/release-config.js';
import { PlaybookSchema } from '../../src/playbook/schema.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHIPPED = `${ROOT}dist/schemas/`;
const FILES = Object.keys(JSON_SCHEMAS) as JsonSchemaFile[];

/** The schema's complaints about data, or undefined when it passes. */
function checker(file: JsonSchemaFile): (data: unknown) => string | undefined {
  // strict: a keyword ajv does not know (a slip in the generator) fails here, not silently in an editor.
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  // zod's z.string().url() becomes format "uri"; what WHATWG URL parses, as zod checks it.
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  const validate = ajv.compile(jsonSchemaOf(file));
  return (data) => (validate(data) ? undefined : JSON.stringify(validate.errors));
}

const configProblems = checker('release-config.schema.json');
const playbookProblems = checker('playbook.schema.json');
const template = (): Record<string, unknown> => parse(CONFIG_TEMPLATE) as Record<string, unknown>;

describe('the shipped JSON Schemas', () => {
  it.each(FILES)('dist/schemas/%s is what the zod schemas generate now', (file) => {
    const path = `${SHIPPED}${file}`;
    expect(existsSync(path), `${path} is missing: run npm run build`).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(jsonSchemaText(file));
  });

  it('the init template names the shipped config schema, under this package name', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { name: string; files: string[] };
    expect(CONFIG_TEMPLATE.split('\n')[0]).toBe(CONFIG_SCHEMA_LINE);
    expect(CONFIG_SCHEMA_LINE).toBe(`# yaml-language-server: $schema=./node_modules/${CONFIG_SCHEMA_IN_PACKAGE}`);
    expect(CONFIG_SCHEMA_IN_PACKAGE).toBe(`${pkg.name}/dist/schemas/release-config.schema.json`);
    // The package ships the schema the template names (package.json "files").
    expect(pkg.files).toContain('dist/schemas');
    expect(existsSync(`${SHIPPED}release-config.schema.json`)).toBe(true);
  });

  it('the init template passes the config schema and the parser', () => {
    expect(configProblems(template())).toBeUndefined();
    expect(parseReleaseConfig('template', CONFIG_TEMPLATE).ok).toBe(true);
  });

  const playbooks = readdirSync(`${ROOT}playbooks`).filter((f) => f.endsWith('.yaml'));
  it.each(playbooks)('playbooks/%s passes the playbook schema and the parser', (file) => {
    const data = parse(readFileSync(`${ROOT}playbooks/${file}`, 'utf8')) as unknown;
    expect(playbookProblems(data)).toBeUndefined();
    expect(PlaybookSchema.safeParse(data).success).toBe(true);
  });

  // Each mistake breaks the template or a playbook in one place; schema and parser must both refuse it.
  const configMistakes: Record<string, (c: Record<string, any>) => void> = {
    'an unknown top-level key': (c) => void (c.stores2 = {}),
    'an unknown wall': (c) => void (c.app.wall = 'banner'),
    'an unknown store provider': (c) => void (c.stores.ios.provider = 'testflight'),
    'no app name': (c) => void delete c.app.name,
    'a misspelt key in app': (c) => void (c.app.bundleID = 'com.example.shop'),
    'a list where a map belongs': (c) => void (c.remoteConfig.keys = ['maintenance_mode']),
  };
  it.each(Object.keys(configMistakes))('the config schema and the parser both reject %s', (name) => {
    const config = template();
    configMistakes[name]!(config);
    expect(configProblems(config)).toBeDefined();
    expect(parseReleaseConfig('mistake', JSON.stringify(config)).ok).toBe(false);
  });

  const playbookMistakes: Record<string, (p: Record<string, any>) => void> = {
    'a step id with capitals': (p) => void (p.steps[0].id = 'Deploy'),
    'no steps': (p) => void (p.steps = []),
    'an unknown on-failure': (p) => void (p.steps[0]['on-failure'] = 'ignore'),
    'a misspelt step key': (p) => void (p.steps[0].timeOut = '1m'),
    'retry attempts of 0': (p) => void (p.steps[0].retry = { attempts: 0 }),
  };
  it.each(Object.keys(playbookMistakes))('the playbook schema and the parser both reject %s', (name) => {
    const playbook = parse(readFileSync(`${ROOT}playbooks/scenario-b.yaml`, 'utf8')) as Record<string, any>;
    playbookMistakes[name]!(playbook);
    expect(playbookProblems(playbook)).toBeDefined();
    expect(PlaybookSchema.safeParse(playbook).success).toBe(false);
  });
});
