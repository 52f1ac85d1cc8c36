/** JSON Merge Patch (RFC 7396): the patch that turns `from` into `to`, for endpoints written with PATCH. */
import { jsonEqual, type JsonObject, type JsonValue } from './json-path.js';

const isObject = (v: JsonValue | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

export function mergePatch(from: JsonObject, to: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(to)) {
    const before = from[key];
    if (jsonEqual(before, value)) continue;
    patch[key] = isObject(before) && isObject(value) ? mergePatch(before, value) : value;
  }
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  return patch;
}
