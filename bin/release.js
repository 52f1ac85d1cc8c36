#!/usr/bin/env node
// The launcher: loads the built CLI and is the only place that ends the process.
import { main } from '../dist/cli/main.js';

const code = await main(process.argv.slice(2));
// Flush stdout before leaving, unless its reader is gone (a closed pipe never delays the exit).
if (process.stdout.destroyed || !process.stdout.writable) process.exit(code);
process.stdout.write('', () => process.exit(code));
