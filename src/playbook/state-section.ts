/** The release config's `state:` section: where runs live (see cli/state-store.ts). */
import * as z from '../util/zod-mini.js';
import { yaml } from '../util/yaml.js';
import { ReleaseError } from '../errors.js';

export const StateSection = z.strictObject({
  backend: z.enum(['local', 'postgres']),
  /** The database URL is a secret: named by env var, never inlined. */
  /** Required with `backend: postgres` (checked where the backend is chosen). */
  url: z.optional(z.strictObject({ env: z.string().check(z.regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')) })),
  tls: z.optional(
    z.strictObject({
      /** A CA bundle to trust (a private CA); relative to the config file. */
      caFile: z.optional(z.string()),
      /** false only for a test database with a self-signed certificate. */
      rejectUnauthorized: z.optional(z.boolean()),
    }),
  ),
});
export type StateSection = z.output<typeof StateSection>;

/** Reads the section off the config's text; yaml is loaded only here, when there is one. */
export function stateSectionFrom(text: string, file: string): StateSection | undefined {
  const { parse } = yaml();
  const doc = parse(text) as { state?: unknown } | null;
  if (!doc || doc.state === undefined) return undefined;
  const parsed = StateSection.safeParse(doc.state);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ReleaseError('usage', `${file}: state.${issue.path.join('.')}: ${issue.message}`, {
    hint: 'The state section is `state: { backend: postgres, url: { env: RELEASE_STATE_URL } }` (or remove it to keep runs in .release/).',
  });
}
