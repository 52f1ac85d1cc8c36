#!/usr/bin/env node
// The launcher: loads the built CLI and is the only place that ends the process.
import { main } from '../dist/cli/main.js';

const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.exit(code));
