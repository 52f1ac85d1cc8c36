/**
 * A port's config section picks its adapter by `provider`, and each provider's schema is built
 * only when a config names that provider. zod v4 builds every schema instance in full when it is
 * made, and the real providers' schemas are most of the release config's: a config that names the
 * sandbox everywhere (every rehearsal, `release validate` after `init`) would build them all for
 * nothing, at each start.
 */
import * as z from '../util/zod-mini.js';

/** The value built on the first call, and the same value on every later one. */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

type ProviderSchema = z.ZodMiniObject<{ provider: z.ZodMiniLiteral<string> }>;

/**
 * One option of a `byProvider` union, built on its first parse. A lazy schema answers what its
 * parent asks of it before parsing (`propValues`: the values that pick it in the union; `optin`,
 * `optout`, `pattern`) by building its schema; those answers are given here instead. For an object
 * schema with this `provider` literal (as the type requires) they are exactly what it would answer:
 * no optionality and no pattern. The JSON Schema of a lazy schema is its built schema's.
 */
export function providerOption<P extends string, S extends z.ZodMiniObject<{ provider: z.ZodMiniLiteral<P> }>>(provider: P, build: () => S): z.ZodMiniLazy<S> {
  const option = z.lazy(build);
  const known = { propValues: { provider: new Set([provider]) }, optin: undefined, optout: undefined, pattern: undefined };
  for (const [key, value] of Object.entries(known)) Object.defineProperty(option._zod, key, { value, configurable: true, writable: true });
  return option;
}

/** `provider` absent means the sandbox. A pipe from a transform: what classic zod's `z.preprocess` builds. */
export function byProvider<T extends [z.ZodMiniLazy<ProviderSchema>, ...z.ZodMiniLazy<ProviderSchema>[]]>(...options: T) {
  return z.pipe(
    z.transform((value: unknown) =>
      value === undefined ? { provider: 'sandbox' } : value && typeof value === 'object' && !('provider' in value) ? { ...value, provider: 'sandbox' } : value,
    ),
    z.discriminatedUnion('provider', options),
  );
}
