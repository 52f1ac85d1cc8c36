/**
 * JSON Schemas for editors (yaml-language-server and the like), generated from the zod schemas
 * the tool parses with, so the two cannot disagree. They describe what a person writes: the
 * input side of each schema (a duration may be `15m` or a number of milliseconds). Checks zod
 * cannot express in JSON Schema (semantic versions, cross-field rules) stay with `release validate`.
 * Written at build time into dist/schemas/ (package.json `build`), which the package ships.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from '../util/zod-mini.js';
import { ReleaseConfigSchema } from './release-config.js';
import { PlaybookSchema } from './schema.js';

/** File name under dist/schemas/ -> the schema it holds; the init template names the first. */
export const JSON_SCHEMAS = {
  'release-config.schema.json': { title: 'release.config.yaml', schema: ReleaseConfigSchema },
  'playbook.schema.json': { title: 'release playbook', schema: PlaybookSchema },
} as const;

export type JsonSchemaFile = keyof typeof JSON_SCHEMAS;

export function jsonSchemaOf(file: JsonSchemaFile): Record<string, unknown> {
  const { title, schema } = JSON_SCHEMAS[file];
  // `throw`: a zod construct with no JSON Schema form fails the build instead of vanishing.
  const generated = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' });
  return { ...generated, title };
}

/** The exact bytes shipped: stable key order and a trailing newline, so a rebuild is byte-equal. */
export function jsonSchemaText(file: JsonSchemaFile): string {
  return `${JSON.stringify(jsonSchemaOf(file), null, 2)}\n`;
}

export function writeJsonSchemas(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return (Object.keys(JSON_SCHEMAS) as JsonSchemaFile[]).map((file) => {
    const path = join(dir, file);
    writeFileSync(path, jsonSchemaText(file));
    return path;
  });
}
