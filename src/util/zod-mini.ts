/**
 * zod/mini as the release config's schemas use it (`import * as z from '../util/zod-mini.js'`).
 *
 * Why mini for the config: `release validate` and every command that reads the config parse it at
 * each start, and classic zod's methods (`.optional()`, `.describe()`...) reach its whole API, so a
 * bundle holding classic zod holds all of it (~180 KB to compile and run; measured ~20 ms of CPU
 * against ~4 ms for mini). Mini is the same core: the same checks, issues and JSON Schemas.
 *
 * Set up here as classic zod sets itself up, so a schema checks the same whichever flavour built
 * it: English messages (classic registers them itself; mini ships none), the memoizer (cycle
 * support for containers, classic's default) and jitless (src/util/zod.ts says why). The settings
 * are the shared core's, read when a schema is built: every mini schema module imports from here.
 */
import { clone, config, globalRegistry, memoizer, type core } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config({ ...en(), memoizer: memoizer(), jitless: true });

export * from 'zod/mini';

/**
 * Classic zod's `.describe()` as classic does it: a copy of the schema with the description in the
 * global registry (the JSON Schemas read it from there). Mini's `z.describe()` is a check added to
 * the copy instead; this form keeps each schema's definition exactly as classic built it.
 */
export function described<T extends core.$ZodType>(schema: T, description: string): T {
  const copy = clone(schema);
  globalRegistry.add(copy, { description });
  return copy;
}
