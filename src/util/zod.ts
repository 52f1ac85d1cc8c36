/**
 * zod as this CLI uses it: every schema module imports it from here (`import * as z`), so the
 * setting below is in place before any schema is built (zod reads it when a schema is constructed).
 *
 * jitless: by default zod compiles a fast parser (`new Function`) for each object schema on its
 * first parse. That pays off over thousands of parses; a command parses each schema a few times,
 * so compiling costs more than it saves (measured: `release validate` ~10 ms less CPU). The
 * checks and their messages are the same either way.
 *
 * Re-exported name by name (`export *`), not as one `z` object: a bundler then keeps only the
 * parts of zod a command uses (zod's locales, JSON Schema conversion and the rest are left out;
 * the bundle's zod part is about a third as large).
 */
import { config } from 'zod';

config({ jitless: true });

export * from 'zod';
