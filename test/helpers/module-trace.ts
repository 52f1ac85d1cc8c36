/**
 * What a process traced by fixtures/trace-imports.mjs loaded, as modules: our own as their
 * `dist/...` paths, packages by name. The CLI runs from its bundle (src/build/bundle.ts), so a
 * loaded chunk counts as every module it holds, as the bundle's meta.json lists them: a command
 * that loads a chunk holding zod loads zod, whatever the chunk is called.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface LoadedModules {
  /** Our own modules, as `dist/engine/runs.js`. */
  own: string[];
  /** Package names, as `zod` or `@inquirer/prompts`. */
  packages: string[];
  /** The bundle chunks loaded, as `dist/bundle/main.js`. */
  chunks: string[];
  /** Every other file loaded as it is (CommonJS files included), as an absolute path. */
  files: string[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Node's arguments before the script for a traced process; it writes to env TRACE_IMPORTS_FILE. */
export const TRACE_NODE_ARGS = ['--expose-internals', '--import', fileURLToPath(new URL('../fixtures/trace-imports.mjs', import.meta.url))];
const BUNDLE = /\/(dist\/bundle\/[^/]+\.js)$/;
const PACKAGE = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//;
/** A package the build bundled into one file (src/build/vendor.ts): counted as that package. */
const VENDORED = /\/dist\/vendor\/([^/]+)\.cjs$/;

let meta: { outputs: Record<string, { inputs: Record<string, unknown> }> } | undefined;

/** The modules each chunk holds, from the meta.json the build wrote beside the bundle. */
function chunkInputs(chunk: string): string[] {
  meta ??= JSON.parse(readFileSync(`${ROOT}dist/bundle/meta.json`, 'utf8')) as NonNullable<typeof meta>;
  const output = meta.outputs[chunk];
  if (!output) throw new Error(`${chunk} is not in dist/bundle/meta.json: is the bundle older than the build?`);
  return Object.keys(output.inputs);
}

export function loadedModules(traceFile: string): LoadedModules {
  const urls = [...new Set(readFileSync(traceFile, 'utf8').split('\n').filter((u) => u.startsWith('file:')))];
  const chunks = urls.map((u) => BUNDLE.exec(u)?.[1]).filter((c): c is string => c !== undefined);
  // Modules as the bundle names them (`dist/...`, `node_modules/...`), and files loaded as they are.
  const files = urls.filter((u) => !BUNDLE.test(u)).map((u) => fileURLToPath(u));
  const paths = [...chunks.flatMap(chunkInputs), ...files];
  const own = [...new Set(paths.map((p) => /(?:^|\/)(dist\/.+)$/.exec(p)?.[1]).filter((p): p is string => p !== undefined && !p.includes('node_modules')))];
  const packages = [...new Set(paths.map((p) => (PACKAGE.exec(p) ?? VENDORED.exec(p))?.[1]).filter((p): p is string => p !== undefined))];
  return { own, packages, chunks, files };
}
