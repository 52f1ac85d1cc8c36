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
import type { PostgresOptions } from '../engine/backends/postgres/options.js';
import type { StateBackend } from '../engine/state-backend.js';
import { findConfigFile } from '../playbook/config-file.js';
import type { StateSection } from '../playbook/state-section.js';
import type { IO } from './io.js';
import { keepOpen } from './open-stores.js';
import type { GlobalOptions } from './program.js';

export type StateChoice =
  | { backend: 'local'; dir: string }
  | { backend: 'postgres'; url: string; from: string; tls?: { caFile?: string; rejectUnauthorized?: boolean }; baseDir?: string };

export function stateDirFor(io: IO, globals: GlobalOptions, configFile?: string | null): string {
  const explicit = globals.stateDir ?? io.env.RELEASE_STATE_DIR;
  if (explicit) return isAbsolute(explicit) ? explicit : resolve(io.cwd, explicit);
  const config = configFile === undefined ? configFileOf(io, globals) : configFile;
  return join(config ? dirname(config) : io.cwd, '.release');
}

export async function stateChoiceFor(io: IO, globals: GlobalOptions, configFile?: string | null): Promise<StateChoice> {
  if (globals.stateDir) return { backend: 'local', dir: stateDirFor(io, globals, configFile) };
  const file = configFile === undefined ? configFileOf(io, globals) : configFile;
  const section = file ? await stateSectionOf(file) : undefined;
  // The config's TLS settings apply to the database however its URL is given.
  const tls = section?.tls ? { tls: section.tls, baseDir: dirname(file!) } : {};
  const url = io.env.RELEASE_STATE_URL;
  if (url) return { backend: 'postgres', url, from: 'RELEASE_STATE_URL', ...tls };
  if (section?.backend === 'postgres') {
    const name = section.url?.env;
    if (!name) {
      const { usageError } = await import('../errors.js');
      throw usageError(`${file}: state.url is required with backend: postgres.`, 'Name the env var that holds the database URL: `state: { backend: postgres, url: { env: RELEASE_STATE_URL } }`.');
    }
    const value = io.env[name];
    if (!value) {
      const { usageError } = await import('../errors.js');
      throw usageError(`${file} keeps run state in PostgreSQL (state.url.env: ${name}), but ${name} is not set.`, `Set ${name} to the database URL (postgres://user:password@host:5432/db), or remove the state section to keep runs in .release/.`);
    }
    return { backend: 'postgres', url: value, from: `${name} (state.url.env in ${file})`, ...tls };
  }
  return { backend: 'local', dir: stateDirFor(io, globals, file ?? null) };
}

/** Opens the run store a command reads or writes; closed when the command ends (open-stores.ts). */
export async function openRunStore(io: IO, globals: GlobalOptions, configFile?: string | null, redact?: (line: string) => string): Promise<RunStore> {
  return keepOpen(new RunStore(await openBackend(await stateChoiceFor(io, globals, configFile), io), redact));
}

export async function openBackend(choice: StateChoice, io: IO): Promise<StateBackend> {
  if (choice.backend === 'local') return new LocalBackend(choice.dir);
  const [{ openPostgresBackend }, options] = await Promise.all([import('../engine/backends/postgres/backend.js'), postgresOptionsFor(choice, io)]);
  // A wait for a lost database is said, once per operation.
  return openPostgresBackend({ ...options, onWait: (message: string) => io.err.write(`${message}\n`) });
}

/** The postgres options this command line points at, or undefined for the local backend. */
export async function postgresOptionsOf(io: IO, globals: GlobalOptions): Promise<PostgresOptions | undefined> {
  const choice = await stateChoiceFor(io, globals);
  return choice.backend === 'postgres' ? postgresOptionsFor(choice, io) : undefined;
}

/**
 * The connection options of a postgres choice. The URL's password is learnt as a secret first,
 * like every other one (masked in each output, registered with `::add-mask::` in Actions).
 */
async function postgresOptionsFor(choice: Extract<StateChoice, { backend: 'postgres' }>, io: IO): Promise<PostgresOptions> {
  const [{ postgresOptionsFrom, passwordOf }, { redactor }] = await Promise.all([import('../engine/backends/postgres/options.js'), import('../providers/redactor.js')]);
  const password = passwordOf(choice.url);
  io.mask.learn(redactor([password, encodeURIComponent(password)]));
  return postgresOptionsFrom(choice, io.env, choice.baseDir ?? io.cwd);
}

/** The release config this command line names (--config) or finds upward from here. */
function configFileOf(io: IO, globals: GlobalOptions): string | undefined {
  return globals.config ? resolve(io.cwd, globals.config) : findConfigFile(io.cwd);
}

/** The config's `state:` section, read only when the file has one (most have not: no YAML parse). */
async function stateSectionOf(file: string): Promise<StateSection | undefined> {
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
