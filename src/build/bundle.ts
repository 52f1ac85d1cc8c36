/**
 * `npm run build`, last step: the CLI as the package runs it, bundled by esbuild from what tsc
 * emitted into dist/ (dist/cli/main.js and everything it imports) into dist/bundle/.
 *
 * Why a bundle: on Node 20 (no compile cache) start-up is mostly module loading, and each ES
 * module costs a resolve, a read and a compile of its own; ~280 files became a few dozen chunks.
 * Code splitting keeps every `import()` a separate chunk, so a command still loads only what it
 * uses (test/cli/module-graph.e2e.test.ts checks that through meta.json, which says which
 * modules each chunk holds).
 *
 * Bundled: the packages on the start-up paths (commander, zod, semver, chalk). Every other
 * dependency (the store SDKs, firebase-admin, pg, execa, the prompt library) stays a package in
 * node_modules: each is loaded lazily, by the step or command that needs it. yaml, also lazy, is
 * required from one file of its own (vendor.ts).
 */
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const BUNDLE_DIR = 'dist/bundle';
const BUNDLE_META = join(BUNDLE_DIR, 'meta.json');
const BUNDLED_PACKAGES = ['commander', 'zod', 'semver', 'chalk'];
const MAIN = 'dist/cli/main.js';
/** The commands that only read runs: what they load beyond main.js is one chunk. */
const READING = ['status', 'runs', 'log', 'report', 'force-unlock'].map((c) => `dist/cli/commands/${c}.js`);
const VALIDATE = 'dist/cli/commands/validate.js';
const FLIP = 'dist/cli/commands/flip.js';

export async function bundle(root = process.cwd()): Promise<void> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
  const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED_PACKAGES.includes(name)).flatMap((name) => [name, `${name}/*`]);
  rmSync(join(root, BUNDLE_DIR), { recursive: true, force: true });
  const options: BuildOptions = {
    absWorkingDir: root,
    entryPoints: [MAIN],
    outdir: BUNDLE_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The launcher require()s the bundle (bin/release.cjs), and require() refuses a module graph
    // with top-level await: esbuild then fails the build on one instead of the CLI at run time.
    supported: { 'top-level-await': false },
    external,
    metafile: true,
    logLevel: 'warning',
    // `release --version` and every command's program need the version: written in at build time
    // instead of reading package.json at each start (program.ts reads it when run unbundled).
    // The program's help for a reader that is no terminal, formatted once here (program.ts).
    define: { __RELEASE_VERSION__: JSON.stringify(pkg.version), __RELEASE_PLAIN_HELP__: JSON.stringify(await plainProgramHelp(root)) },
    plugins: [lazyChildProcessForCommander, processAsGlobal],
    // CommonJS packages in an ES module bundle (commander, semver) still `require` Node's own
    // modules: esbuild's shim needs a real `require` in scope (made without importing node:module,
    // for the reason builtinsAsTheyAre gives).
    banner: { js: "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);" },
  };
  // First the module graph only, to know which entries reach the grouped paths (groupedPathImports).
  const graph = await build({ ...options, write: false });
  const result = await build({ ...options, write: false, plugins: [...(options.plugins ?? []), importAlso(root, groupedPathImports(graph.metafile!))] });
  mkdirSync(join(root, BUNDLE_DIR), { recursive: true });
  for (const file of result.outputFiles) {
    const output = result.metafile!.outputs[relative(root, file.path)];
    writeFileSync(file.path, output ? chunksRequired(builtinsAsTheyAre(file.text, output, file.path), output, file.path) : file.text);
  }
  writeFileSync(join(root, BUNDLE_META), `${JSON.stringify(result.metafile)}\n`);
}

/**
 * Node's own modules taken as they are, not imported as ES modules. An `import ... from 'node:fs'`
 * makes Node build an ES facade for the builtin (one named export per property, about a hundred
 * for fs) and link it: ~3 ms of `status`'s start-up, more of `validate`'s and a flip's.
 * `process.getBuiltinModule` (Node 20.16+; `engines` says 20.19+) returns the module object
 * itself, so each such import becomes a destructuring of it, moved to the chunk's top (where the
 * import's binding already was: imports are hoisted, and builtins depend on nothing). esbuild
 * writes every import at the start of a line, in one of three shapes; the count rewritten must
 * equal the builtin imports esbuild's metafile lists for the chunk, or the build fails rather
 * than leave a facade unnoticed or touch a line that is not an import. (Done on the output: a
 * plugin can only stand a module in for the builtin, whose interop cost more instructions, as
 * callgrind counted them, than the facade.)
 */
function builtinsAsTheyAre(code: string, meta: Metafile['outputs'][string], file: string): string {
  const expected = meta.imports.filter((i) => i.kind === 'import-statement' && i.path.startsWith('node:')).length;
  const taken: string[] = [];
  const rest = code.replace(/^import (?:\{([^}]*)\}|\* as ([\w$]+)|([\w$]+)) from "(node:[^"]+)";\n/gm, (_line, names: string | undefined, namespace: string | undefined, fallback: string | undefined, builtin: string) => {
    taken.push(`const ${names === undefined ? (namespace ?? fallback) : `{${names.replace(/\s+as\s+/g, ': ')}}`} = process.getBuiltinModule(${JSON.stringify(builtin)});\n`);
    return '';
  });
  if (taken.length !== expected) throw new Error(`${file}: esbuild lists ${expected} builtin import(s), the bundle rewrote ${taken.length}: is an import in a shape builtinsAsTheyAre does not know?`);
  const afterBanner = rest.indexOf('\n') + 1;
  return rest.slice(0, afterBanner) + taken.join('') + rest.slice(afterBanner);
}

/**
 * The bundle's own lazy chunks taken with require(), as the launcher takes main.js (bin/release.cjs
 * says why): each `import("./chunk.js")` becomes a promise of `require("./chunk.js")`, the same
 * module namespace, its errors a rejection as before, but loaded synchronously instead of through
 * the asynchronous loader. Packages outside the bundle keep their `import()` (one of them might
 * use top-level await, which require() refuses). The count rewritten must equal the dynamic
 * imports of chunks esbuild's metafile lists, or the build fails.
 */
function chunksRequired(code: string, meta: Metafile['outputs'][string], file: string): string {
  const expected = meta.imports.filter((i) => i.kind === 'dynamic-import' && !i.external).length;
  let rewritten = 0;
  const out = code.replace(/\bimport\("(\.\/[\w.-]+\.js)"\)/g, (_call, chunk: string) => {
    rewritten++;
    return `new Promise((loaded) => loaded(require(${JSON.stringify(chunk)})))`;
  });
  if (rewritten !== expected) throw new Error(`${file}: esbuild lists ${expected} dynamic import(s) of chunks, the bundle rewrote ${rewritten}: is an import() in a shape chunksRequired does not know?`);
  return out;
}

/** From what tsc emitted: the program as it runs unbundled. */
async function plainProgramHelp(root: string): Promise<string> {
  const program = (await import(pathToFileURL(join(root, 'dist/cli/program.js')).href)) as { plainProgramHelp(): string };
  return program.plainProgramHelp();
}

/**
 * commander requires `node:child_process` at load, for executable subcommands (`git-style`
 * commands that are separate programs), which this CLI never declares. Loading it costs every
 * start-up several ms of Node's own modules (child_process, net's socket list, dgram). commander
 * gets a stand-in that requires the real module on first use (it only calls `spawn` in
 * `_executeSubCommand`), so start-up never loads it. Only commander's import is replaced: our own
 * code and the external packages that spawn processes (execa) get the real module.
 */
const lazyChildProcessForCommander: Plugin = {
  name: 'lazy-child-process-for-commander',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      loader: 'js',
      // `child_process` unprefixed: the plugin matches only `node:child_process`, so this resolves
      // to Node's own module (external on platform node).
      contents: "let real; const load = () => (real ??= require('child_process')); module.exports = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });",
    }));
  },
};

/**
 * `node:process` as the global `process`. An ES module importing a builtin gets a facade that
 * copies each export once; for `process` that reads every property, `allowedNodeEnvironmentFlags`
 * included, which builds the set of every Node flag: ~5 ms at each start on Node 20, paid by
 * every command that loads chalk (its supports-color does `import process from 'node:process'`).
 */
const processAsGlobal: Plugin = {
  name: 'process-as-global',
  setup(b) {
    // Only `import`: commander's `require('node:process')` already gets the object itself.
    b.onResolve({ filter: /^(node:)?process$/ }, (args) => (args.kind === 'import-statement' ? { path: 'process', namespace: 'process-global' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'process-global' }, () => ({ contents: 'export default process;', loader: 'js' }));
  },
};

/**
 * esbuild makes one chunk per distinct set of entries that share a module, so a path used by many
 * commands, each a little differently, came apart into a dozen small chunks, each an ES module to
 * resolve, read and link at start. Three such paths are kept whole: start-up (what main.js loads
 * for every command: the program, commander, io), the run store's read path (what the reading
 * commands load beyond that) and the run path (what a flip loads beyond the read path). Each
 * entry (an `import()` target) that statically loads a path gets the rest of it named too, so the
 * same set of entries stands behind every module of the path and esbuild puts it in one chunk.
 * Every entry gets start-up: each is imported after main.js has loaded it, so naming it costs
 * nothing at run time, and --help opens main.js and one chunk instead of seven. For the run path
 * only entries that already load a third of it or more (the commands that run steps, the
 * adapters, doctor) get the rest: `status` of a waiting run loads context.js for its hints, which
 * shares a little of it, and must stay without zod. What validate loads stays out of the other
 * two (validate opens no run; the journal would bring node:crypto).
 */
function groupedPathImports(meta: Metafile): Map<string, string[]> {
  const statics = (from: string[]) => {
    const seen = new Set<string>();
    const queue = [...from];
    for (let m = queue.pop(); m !== undefined; m = queue.pop()) {
      if (seen.has(m) || !m.startsWith('dist/')) continue;
      seen.add(m);
      for (const i of meta.inputs[m]?.imports ?? []) if (i.kind === 'import-statement') queue.push(i.path);
    }
    return seen;
  };
  const startUp = [...statics([MAIN])].filter((m) => m !== MAIN);
  const kept = new Set([MAIN, ...startUp, ...statics([VALIDATE]), ...READING, FLIP]);
  const groups = [
    { path: startUp, least: -1 },
    ...[
      { roots: READING, least: 0 },
      { roots: [FLIP], least: 0.3 },
    ].map(({ roots, least }) => {
      const path = [...statics(roots)].filter((m) => !kept.has(m));
      path.forEach((m) => kept.add(m));
      return { path, least };
    }),
  ];
  const entries = new Set(Object.values(meta.inputs).flatMap((input) => input.imports.filter((i) => i.kind === 'dynamic-import' && i.path.startsWith('dist/')).map((i) => i.path)));
  const imports = new Map<string, string[]>();
  for (const entry of entries) {
    const reached = statics([entry]);
    const missing = groups.flatMap(({ path, least }) => {
      const absent = path.filter((m) => !reached.has(m));
      const share = (path.length - absent.length) / path.length;
      return share > least ? absent : [];
    });
    if (missing.length) imports.set(entry, missing);
  }
  return imports;
}

/** Appends `import "<module>"` lines to the entries named (their code is unchanged otherwise). */
function importAlso(root: string, imports: Map<string, string[]>): Plugin {
  return {
    name: 'import-also',
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, (args) => {
        const also = imports.get(args.path.slice(root.length + 1));
        if (!also) return undefined;
        const lines = also.map((m) => `import ${JSON.stringify(resolve(root, m))};`).join('\n');
        return { contents: `${readFileSync(args.path, 'utf8')}\n${lines}\n`, loader: 'js', resolveDir: resolve(args.path, '..') };
      });
    },
  };
}
