/**
 * Independent reads, run at the same time: waits for all of them (none is left running
 * unobserved) and, if any failed, throws the failure of the first in the list — the one the same
 * reads made one after the other would have met first — so messages stay as they were.
 */
export async function together<T extends readonly unknown[]>(work: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(work);
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
