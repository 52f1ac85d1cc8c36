/** Run stores a command opened, closed when it ends: a database pool must not keep the process alive. */
interface Closable {
  close(): Promise<void>;
}

const opened = new Set<Closable>();

export function keepOpen<T extends Closable>(store: T): T {
  opened.add(store);
  return store;
}

export async function closeRunStores(): Promise<void> {
  const stores = [...opened];
  opened.clear();
  await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
}
