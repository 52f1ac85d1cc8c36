#!/usr/bin/env node
// The launcher: loads the built CLI and is the only place that ends the process.

// Node 22.1+ keeps the compiled code of every module it loads on disk, so later starts skip
// parsing and compiling (NODE_DISABLE_COMPILE_CACHE=1 turns it off). Older Node lacks it: skipped.
// node:module taken as it is, not imported: an ES import of a builtin builds a facade of its
// exports first (the bundle does the same, src/build/bundle.ts).
process.getBuiltinModule('node:module').enableCompileCache?.();
// Imported only now, so the CLI's modules are compiled with the cache on. The bundle (built by
// `npm run build`, src/build/bundle.ts): a few dozen chunks instead of ~280 modules.
const { main, afterOutput } = await import('../dist/bundle/main.js');

const code = await main(process.argv.slice(2));
// Leave once stdout's output is out, unless its reader is gone (a closed pipe never delays the exit).
afterOutput(() => process.exit(code));
