/**
 * What checking the release config loads, in the built CLI (a bundle chunk counts as the modules it
 * holds, helpers/module-trace.ts). Every schema is zod/mini (util/zod-mini.ts says why): no command
 * may bring in classic zod, whose methods reach its whole API, and with it every core file whole.
 */
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv } from '../helpers/cli.js';
import { loadedModules, TRACE_NODE_ARGS } from '../helpers/module-trace.js';
import { testdir } from '../helpers/testdir.js';

const META = fileURLToPath(new URL('../../dist/bundle/meta.json', import.meta.url));

/** The parts of zod (`v4/classic`, `v4/mini`, `v4/core`...) in the chunks a traced `release` process loaded. */
async function zodPartsLoaded(args: string[], cwd: string): Promise<{ code: number; stderr: string; parts: string[] }> {
  const traceFile = join(testdir(), 'imports.txt');
  const result = await execa('node', [...TRACE_NODE_ARGS, BIN, ...args], { cwd, env: cliEnv({ TRACE_IMPORTS_FILE: traceFile }), extendEnv: false, reject: false, stdin: 'ignore' });
  const { chunks } = loadedModules(traceFile);
  const meta = JSON.parse(readFileSync(META, 'utf8')) as Meta;
  const inputs = chunks.flatMap((chunk) => Object.keys(meta.outputs[chunk]?.inputs ?? {}));
  const parts = [...new Set(inputs.map((input) => /node_modules\/zod\/(v4\/[^/]+)\//.exec(input)?.[1]).filter((p): p is string => p !== undefined))];
  return { code: result.exitCode ?? -1, stderr: String(result.stderr), parts };
}

type Meta = { outputs: Record<string, { inputs: Record<string, unknown> }> };

describe('checking the release config', () => {
  it('the bundle holds no classic zod and no JSON Schema conversion (the shipped schemas are written at build time)', () => {
    const meta = JSON.parse(readFileSync(META, 'utf8')) as Meta;
    const zodFiles = Object.values(meta.outputs).flatMap((output) => Object.keys(output.inputs)).filter((input) => input.includes('node_modules/zod/'));
    expect(zodFiles).toContain('node_modules/zod/v4/mini/schemas.js');
    expect(zodFiles.filter((input) => /zod\/v4\/(classic\/|core\/(to-json-schema|json-schema-processors)\.js)/.test(input))).toEqual([]);
  });

  it('validate checks an edited config with zod/mini and loads no classic zod', async () => {
    const project = testdir();
    await execa('node', [BIN, 'init'], { cwd: project, env: cliEnv(), extendEnv: false });
    const file = join(project, 'release.config.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('name: Example Shop', 'name: Our Shop'));
    const graph = await zodPartsLoaded(['validate'], project);
    expect(graph.code, graph.stderr).toBe(0);
    expect(graph.parts).toContain('v4/mini');
    expect(graph.parts).not.toContain('v4/classic');
  });
});
