/**
 * zod as this CLI uses it: every schema module imports `z` from here, so the setting below is
 * in place before any schema is built (zod reads it when a schema is constructed).
 *
 * jitless: by default zod compiles a fast parser (`new Function`) for each object schema on its
 * first parse. That pays off over thousands of parses; a command parses each schema a few times,
 * so compiling costs more than it saves (measured: `release validate` ~10 ms less CPU). The
 * checks and their messages are the same either way.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
