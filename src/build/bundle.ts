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
 * dependency (the store SDKs, firebase-admin, pg, execa, the prompt library, yaml) stays a
 * package in node_modules: each is loaded lazily, by the step or command that needs it.
 */
import { build, type Plugin } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BUNDLE_DIR = 'dist/bundle';
const BUNDLE_META = join(BUNDLE_DIR, 'meta.json');
const BUNDLED_PACKAGES = ['commander', 'zod', 'semver', 'chalk'];

export async function bundle(root = process.cwd()): Promise<void> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED_PACKAGES.includes(name)).flatMap((name) => [name, `${name}/*`]);
  rmSync(join(root, BUNDLE_DIR), { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['dist/cli/main.js'],
    outdir: BUNDLE_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    metafile: true,
    plugins: [processAsGlobal],
    logLevel: 'warning',
    // CommonJS packages in an ES module bundle (commander, semver) still `require` Node's own
    // modules: esbuild's shim needs a real `require` in scope.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  writeFileSync(join(root, BUNDLE_META), `${JSON.stringify(result.metafile)}\n`);
}

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
