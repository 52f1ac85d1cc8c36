/** Dotted paths (`ios.minimum_version`) into JSON documents, so any remote-config shape works. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function getPath(doc: JsonObject, path: string): JsonValue | undefined {
  let node: JsonValue | undefined = doc;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** Returns a copy of `doc` with `path` set; intermediate objects are created, siblings kept. */
export function setPath(doc: JsonObject, path: string, value: JsonValue | undefined): JsonObject {
  const [head, ...rest] = path.split('.');
  const copy: JsonObject = { ...doc };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head!];
    else copy[head!] = value;
    return copy;
  }
  const child = copy[head!];
  const base = child !== null && typeof child === 'object' && !Array.isArray(child) ? child : {};
  copy[head!] = setPath(base, rest.join('.'), value);
  return copy;
}

export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: JsonValue | undefined): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(canonical);
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k]!)]));
}
