/**
 * Which state backend a command uses, and opening it: `postgres` when RELEASE_STATE_URL is set
 * or the release config says `state: { backend: postgres, url: { env: NAME } }`; otherwise
 * `local`, a directory (--state-dir, RELEASE_STATE_DIR, or `.release/` beside the config).
 * Loads no parser unless the config file has a `state:` section, and the driver only for postgres.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { LocalBackend } from '../engine/backends/local.js';
import { RunStore } from '../engine/runs.js';
import type { StateBackend } from '../engine/state-backend.js';
import { findConfigFile } from '../playbook/config-file.js';
import type { IO } from './io.js';
import { keepOpen } from './open-stores.js';
import type { GlobalOptions } from './program.js';

export type StateChoice =
  | { backend: 'local'; dir: string }
  | { backend: 'postgres'; url: string; from: string; tls?: { caFile?: string; rejectUnauthorized?: boolean } };

export function stateDirFor(io: IO, globals: GlobalOptions, configFile?: string | null): string {
  const explicit = globals.stateDir ?? io.env.RELEASE_STATE_DIR;
  if (explicit) return isAbsolute(explicit) ? explicit : resolve(io.cwd, explicit);
  const config = configFile === undefined ? findConfigFile(io.cwd) : configFile;
  return join(config ? dirname(config) : io.cwd, '.release');
}

export async function stateChoiceFor(io: IO, globals: GlobalOptions, configFile?: string | null): Promise<StateChoice> {
  if (globals.stateDir) return { backend: 'local', dir: stateDirFor(io, globals, configFile) };
  const url = io.env.RELEASE_STATE_URL;
  if (url) return { backend: 'postgres', url, from: 'RELEASE_STATE_URL' };
  const file = configFile === undefined ? findConfigFile(io.cwd) : configFile;
  const section = file ? await stateSectionOf(file) : undefined;
  if (section?.backend === 'postgres') {
    const name = section.url.env;
    const value = io.env[name];
    if (!value) {
      const { usageError } = await import('../errors.js');
      throw usageError(`${file} keeps run state in PostgreSQL (state.url.env: ${name}), but ${name} is not set.`, `Set ${name} to the database URL (postgres://user:password@host:5432/db), or remove the state section to keep runs in .release/.`);
    }
    return { backend: 'postgres', url: value, from: `${name} (state.url.env in ${file})`, ...(section.tls ? { tls: section.tls } : {}) };
  }
  return { backend: 'local', dir: stateDirFor(io, globals, file ?? null) };
}

/** Opens the run store a command reads or writes; closed when the command ends (open-stores.ts). */
export async function openRunStore(io: IO, globals: GlobalOptions, configFile?: string | null, redact?: (line: string) => string): Promise<RunStore> {
  return keepOpen(new RunStore(await openBackend(await stateChoiceFor(io, globals, configFile)), redact));
}

export async function openBackend(choice: StateChoice): Promise<StateBackend> {
  if (choice.backend === 'local') return new LocalBackend(choice.dir);
  throw new Error(`postgres state backend (${choice.from}): not wired yet`); // WIRE-PG
}

/** The config's `state:` section, read only when the file has one (most have not: no YAML parse). */
async function stateSectionOf(file: string): Promise<{ backend: 'local' | 'postgres'; url: { env: string }; tls?: { caFile?: string; rejectUnauthorized?: boolean } } | undefined> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // the command that needs the config says what is wrong with it
  }
  if (!/^state:/m.test(text)) return undefined;
  const { stateSectionFrom } = await import('../playbook/state-section.js');
  return stateSectionFrom(text, file);
}
