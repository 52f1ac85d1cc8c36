#!/usr/bin/env node
// The launcher: loads the built CLI and is the only place that ends the process.
//
// CommonJS, and the bundle taken with require(): Node (20.19+, 22.12+) then loads its ES modules
// synchronously, each file read and linked in one go, instead of through the asynchronous module
// loader, which reads every file on the thread pool and links it in promise jobs (measured ~4 ms
// of `release --help`, ~6 ms of `release validate` and of a flip on Node 20). The bundle's own
// lazy chunks are required the same way (src/build/bundle.ts, chunksRequired).
'use strict';

// Node 22.1+ keeps the compiled code of every module it loads on disk, so later starts skip
// parsing and compiling (NODE_DISABLE_COMPILE_CACHE=1 turns it off). Older Node lacks it: skipped.
require('node:module').enableCompileCache?.();

let cli;
try {
  // Required only now, so the CLI's modules are compiled with the cache on. The bundle (built by
  // `npm run build`, src/build/bundle.ts): a few dozen chunks instead of ~280 modules.
  cli = require('../dist/bundle/main.js');
} catch (err) {
  // A Node that cannot require an ES module: 20.0-20.18, 22.0-22.11, or one run with
  // --no-experimental-require-module (`engines` says which versions can).
  if (err?.code !== 'ERR_REQUIRE_ESM') throw err;
  process.stderr.write(`release needs Node 20.19+ or 22.12+ (this is ${process.version}), able to require() an ES module: the flag --no-experimental-require-module turns that off.\n`);
  process.exit(1);
}

cli.main(process.argv.slice(2)).then((code) => {
  // Leave once stdout's output is out, unless its reader is gone (a closed pipe never delays the exit).
  cli.afterOutput(() => process.exit(code));
});
