/**
 * zod/mini, as every schema of the tool uses it (`import * as z from '../util/zod-mini.js'`): the
 * release config's, the playbooks' and the actions' inputs.
 *
 * Why mini: classic zod's methods (`.optional()`, `.describe()`...) reach its whole API, so a
 * bundle holding classic zod holds all of it, and every chunk with a piece of zod's core then
 * holds the whole of each core file (~180 KB to compile at each start of `release validate`).
 * Mini's functions leave out what no schema here uses. Mini is the same core: the same checks,
 * issues and JSON Schemas.
 *
 * Set up here as classic zod sets itself up, so a schema checks as it did when built by classic:
 * English messages (classic registers them itself; mini ships none), the memoizer (cycle support
 * for containers, classic's default), and jitless: by default zod compiles a fast parser
 * (`new Function`) for each object schema on its first parse, which pays off over thousands of
 * parses; a command parses each schema a few times, so compiling costs more than it saves
 * (measured: `release validate` ~10 ms less CPU). The settings are the shared core's, read when
 * a schema is built: every schema module imports from here.
 *
 * How each classic method is written here: `z.optional(s)` for `s.optional()`, `z._default(s, d)`
 * for `s.default(d)`, `s.check(z.refine(...))` for `s.refine(...)`, `z.strictObject({...})` for
 * `z.object({...}).strict()`, `z.string().check(z.minLength(n))` for `.min(n)` (`z.gte(n)` on
 * numbers), `described(s, text)` for `s.describe(text)`.
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
