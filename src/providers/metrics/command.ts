/** A metric from a command (e.g. `bq query` over a Crashlytics export): it prints a number, or JSON read at `path`. */
import { runCommand } from '../process.js';
import { getPath, type JsonObject } from '../../util/json-path.js';
import { numberOf, type MetricQuery, type Reading } from './port.js';

export async function readCommand(source: { command: string[]; path?: string; timeout: string }, query: MetricQuery, opts: { baseDir: string; env: NodeJS.ProcessEnv; signal?: AbortSignal }): Promise<Reading> {
  const what = `metric ${query.metric} (${source.command.join(' ')})`;
  const env = { ...opts.env, RELEASE_METRIC: query.metric, RELEASE_METRIC_WINDOW_SECONDS: String(Math.round(query.windowMs / 1000)), RELEASE_VERSION: query.version };
  const { stdout } = await runCommand(what, { run: source.command, shell: false, timeout: source.timeout, env: {} }, { baseDir: opts.baseDir, env, signal: opts.signal });
  const text = stdout.trim();
  let raw: unknown = text;
  if (source.path) raw = getPath(JSON.parse(text) as JsonObject, source.path);
  const value = numberOf(raw, what);
  return value === undefined ? { detail: `${what} printed no value` } : { value, detail: what };
}
