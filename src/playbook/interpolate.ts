/**
 * `${{ path }}` expressions in a step's `with:` values. A value that is exactly one expression
 * keeps the referenced type (a boolean input stays a boolean); otherwise the result is a string.
 */
import { getPath, type JsonObject, type JsonValue } from '../util/json-path.js';

const EXPRESSION = /\$\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}/g;
const WHOLE = /^\$\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}$/;

export class InterpolationError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

export function hasExpression(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${{');
  if (Array.isArray(value)) return value.some(hasExpression);
  if (value && typeof value === 'object') return Object.values(value).some(hasExpression);
  return false;
}

/** Names each expression refers to, to check them without values (`release validate`). */
export function expressionsIn(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; expr: string }[] {
  if (typeof value === 'string') {
    const malformed = value.includes('${{') && value.replace(EXPRESSION, '').includes('${{');
    if (malformed) return [{ path, expr: '' }];
    return [...value.matchAll(EXPRESSION)].map((m) => ({ path, expr: m[1]! }));
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => expressionsIn(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => expressionsIn(v, [...path, k]));
  return [];
}

export function interpolate(value: JsonValue, vars: JsonObject, path: (string | number)[] = []): JsonValue {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(vars, whole[1]!, path);
    if (value.includes('${{') && value.replace(EXPRESSION, '').includes('${{')) {
      throw new InterpolationError(path, `malformed expression in "${value}" (write \${{ name.path }})`);
    }
    return value.replace(EXPRESSION, (_, expr: string) => {
      const found = lookup(vars, expr, path);
      return typeof found === 'string' ? found : JSON.stringify(found);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, vars, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, vars, [...path, k])]));
  }
  return value;
}

function lookup(vars: JsonObject, expr: string, path: (string | number)[]): JsonValue {
  const found = getPath(vars, expr);
  if (found === undefined) {
    throw new InterpolationError(path, `\${{ ${expr} }} is not defined (available: ${Object.keys(vars).join(', ')})`);
  }
  return found;
}
