/**
 * Secrets are referenced, never written in the config: `{ env: NAME }` or `{ path: ./file }`.
 * Resolving one says in plain words what is missing; the values feed the redactor so they can
 * never reach the terminal or the journal.
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

/** Every secret value the config points at that is set, for masking (short ones would mask noise). */
export function secretValues(refs: SecretRef[], ctx: SecretContext): string[] {
  const values: string[] = [];
  for (const ref of refs) {
    try {
      const value = resolveSecret(ref, ctx, 'secret');
      values.push(value.trim());
      // A PEM or JSON key file: its lines and fields are secret on their own too.
      for (const line of value.split('\n')) if (line.trim().length >= 16 && !line.startsWith('-----')) values.push(line.trim());
      const privateKey = /"private_key"\s*:\s*"([^"]+)"/.exec(value)?.[1];
      if (privateKey) values.push(privateKey);
    } catch {
      // not set: nothing to mask
    }
  }
  return values.filter((v) => v.length >= 8);
}

export function redactor(secrets: string[]): (text: string) => string {
  const sorted = [...new Set(secrets)].sort((a, b) => b.length - a.length);
  if (!sorted.length) return (text) => text;
  return (text) => sorted.reduce((out, secret) => (out.includes(secret) ? out.split(secret).join('***') : out), text);
}
