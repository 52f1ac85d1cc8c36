/**
 * Secrets are referenced, never written in the config: `{ env: NAME }` or `{ path: ./file }`.
 * Resolving one says in plain words what is missing; the values feed the redactor so they can
 * never reach any output (see redactor.ts for how they are masked).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { SecretRef } from '../playbook/release-config.js';

export class MissingSecret extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingSecret';
  }
}

export interface SecretContext {
  /** Relative paths are resolved from the release config's directory. */
  baseDir: string;
  env: NodeJS.ProcessEnv;
}

export function describeSecret(ref: SecretRef): string {
  return 'env' in ref ? `env var ${ref.env}` : `file ${ref.path}`;
}

export function resolveSecret(ref: SecretRef, ctx: SecretContext, what: string): string {
  if ('env' in ref) {
    const value = ctx.env[ref.env];
    if (!value) throw new MissingSecret(`${what}: env var ${ref.env} is not set (or empty)`);
    return value;
  }
  const path = isAbsolute(ref.path) ? ref.path : resolve(ctx.baseDir, ref.path);
  if (!existsSync(path)) throw new MissingSecret(`${what}: file ${path} does not exist`);
  return readFileSync(path, 'utf8');
}

/** Every secret value the config points at that is set, with the parts that are secret on their own. */
export function secretValues(refs: SecretRef[], ctx: SecretContext): string[] {
  const values: string[] = [];
  for (const ref of refs) {
    let value: string;
    try {
      value = resolveSecret(ref, ctx, 'secret');
    } catch {
      continue; // not set: nothing to mask
    }
    values.push(...secretParts(value));
  }
  return values;
}

/**
 * A value, trimmed, and for a key file (PEM, or JSON with a `private_key`) each of its lines:
 * printed line by line, a multi-line secret never appears whole. A line of punctuation only (`{`)
 * or PEM armour (`-----BEGIN PRIVATE KEY-----`) says nothing secret.
 */
export function secretParts(value: string): string[] {
  const wholes = [value, value.trim()];
  const privateKey = jsonPrivateKey(value);
  if (privateKey) wholes.push(privateKey, privateKey.trim());
  const lines = wholes.flatMap((v) => v.split(/\r?\n/)).map((line) => line.trim());
  return [...new Set([...wholes, ...lines.filter((line) => /[\p{L}\p{N}]/u.test(line) && !/^-----(BEGIN|END) /.test(line))])].filter((v) => v.trim() !== '');
}

function jsonPrivateKey(text: string): string | undefined {
  try {
    const key = JSON.parse(text) as { private_key?: unknown };
    return typeof key?.private_key === 'string' ? key.private_key : undefined;
  } catch {
    return undefined;
  }
}
