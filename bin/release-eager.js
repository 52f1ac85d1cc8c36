#!/usr/bin/env node
// The launcher: loads the built CLI and is the only place that ends the process.
import module from 'node:module';

// Node 22.1+ keeps the compiled code of every module it loads on disk, so later starts skip
// parsing and compiling (NODE_DISABLE_COMPILE_CACHE=1 turns it off). Older Node lacks it: skipped.
module.enableCompileCache?.();
// Imported only now, so the CLI's modules are compiled with the cache on. The bundle (built by
// `npm run build`, src/build/bundle.ts): a few dozen chunks instead of ~280 modules.
const { main } = await import('../dist/bundle-eager/main.js');

const code = await main(process.argv.slice(2));
// Flush stdout before leaving, unless its reader is gone (a closed pipe never delays the exit).
if (process.stdout.destroyed || !process.stdout.writable) process.exit(code);
process.stdout.write('', () => process.exit(code));
