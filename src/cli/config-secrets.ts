/**
 * The secrets a release config points at (key files, tokens, env vars named in headers and URLs),
 * and the masks made from them. Plain functions over the config: no schema, no adapter, so the
 * commands that only show a run (log, report, status) mask its secrets without loading either.
 */
import { dirname } from 'node:path';
import type { ReleaseConfig, SecretRef } from '../playbook/release-config.js';
import { envNamesIn, expandEnv } from '../providers/env-template.js';
import { redactor, type Redact } from '../providers/redactor.js';
import { secretValues, type SecretContext } from '../providers/secrets.js';
import type { JournalRead } from '../engine/journal.js';
import type { JsonObject } from '../util/json-path.js';
import { mapStrings } from '../util/map-strings.js';
import type { RunContext } from './context.js';
import type { IO } from './io.js';

export function secretContext(io: IO, context: RunContext): SecretContext {
  return { baseDir: context.configFile ? dirname(context.configFile) : io.cwd, env: io.env };
}

/** Every secret the config points at: key files, tokens, and env vars named in headers and URLs. */
export function secretRefs(config: ReleaseConfig): SecretRef[] {
  const refs: SecretRef[] = [];
  const google = (creds: { serviceAccountKey: SecretRef } | { accessToken: { env: string } } | { applicationDefault: true } | undefined) => {
    if (creds && 'serviceAccountKey' in creds) refs.push(creds.serviceAccountKey);
    if (creds && 'accessToken' in creds) refs.push(creds.accessToken);
  };
  if (config.stores.ios.provider === 'app-store-connect') refs.push(config.stores.ios.privateKey);
  if (config.stores.android.provider === 'google-play') google(config.stores.android.credentials);
  if (config.remoteConfig.provider === 'firebase') google(config.remoteConfig.credentials);
  refs.push(...secretTemplates(config).flatMap(envNamesIn).map((env) => ({ env })));
  if (config.notify.slack) refs.push(config.notify.slack.webhook);
  return refs;
}

/** Header values and URLs that may name env vars (`Bearer ${CONFIG_TOKEN}`). */
function secretTemplates(config: ReleaseConfig): string[] {
  const templates: string[] = [];
  const rc = config.remoteConfig;
  if (rc.provider === 'http') templates.push(...Object.values(rc.headers));
  const be = config.backend;
  if (be.provider !== 'sandbox') templates.push(...Object.values(be.health.headers));
  if (be.provider === 'webhook') templates.push(be.deploy.url, be.rollback.url, ...Object.values(be.deploy.headers), ...Object.values(be.rollback.headers));
  return templates.filter((t) => envNamesIn(t).length > 0);
}

/**
 * Masks every secret the config points at, for the journal and every output. A header or URL
 * built from env vars is a secret as a whole too (`Bearer q7Z` hides a short token in plain sight).
 */
export function redactFor(io: IO, config: ReleaseConfig, context: RunContext): Redact {
  const secrets = secretContext(io, context);
  const expanded = secretTemplates(config).flatMap((template) => {
    try {
      return [expandEnv(template, secrets.env, 'secret')];
    } catch {
      return []; // a variable is not set: nothing to mask
    }
  });
  return redactor([...secretValues(secretRefs(config), secrets), ...expanded]);
}

/**
 * The IO, masking these secrets from now on: the process's streams learn them, so everything the
 * command writes — and an error that escapes it (exit.ts) — is masked.
 */
export function redactedIO(io: IO, redact: Redact): IO {
  io.mask.learn(redact);
  return io;
}

/**
 * For commands that only show a run (log, report, status): its journal was masked with the
 * secrets known when it was written, but an older release, or a secret set only later, may have
 * left one readable. These outputs go to CI summaries, so they mask with the secrets of the
 * release config the run was created with: the streams learn them, and the returned function
 * masks values before they are encoded. The journaled config is the parsed one, so it is read as
 * it is, without the schema; a start that cannot be read that way masks nothing more.
 */
export function learnRunSecrets(io: IO, run: { runId: string; release: JsonObject; context: JsonObject }): Redact {
  let redact: Redact;
  try {
    redact = redactFor(io, run.release.config as unknown as ReleaseConfig, run.context as unknown as RunContext);
  } catch {
    return (text) => text;
  }
  redactedIO(io, redact);
  return redact;
}

/** A journal as log and report show it: every value masked (see learnRunSecrets). */
export function shownJournal(io: IO, read: JournalRead): JournalRead {
  const first = read.events[0];
  return first?.type === 'run.created' ? mapStrings(read, learnRunSecrets(io, first)) : read;
}
