/** A metric from any JSON endpoint: GET it and read the number at a dotted path; `{version}` in the URL is the query's version. */
import { httpCall, HttpFailure, parseJson } from '../http-json.js';
import { expandHeaders } from '../env-template.js';
import { getPath, type JsonObject } from '../../util/json-path.js';
import { numberOf, type MetricQuery, type Reading } from './port.js';

export async function readHttp(source: { http: string; path: string; headers: Record<string, string> }, query: MetricQuery, opts: { env: NodeJS.ProcessEnv; signal?: AbortSignal }): Promise<Reading> {
  const url = source.http.replaceAll('{version}', encodeURIComponent(query.version));
  const what = `metric ${query.metric} (${url})`;
  const headers = expandHeaders(source.headers, opts.env, what);
  const answer = await httpCall(what, url, { headers, timeoutMs: 30_000, signal: opts.signal });
  if (answer.status !== 200) throw new HttpFailure(what, answer.status, answer.text.slice(0, 200));
  const value = numberOf(getPath(parseJson(what, answer.text) as JsonObject, source.path), `${what} at ${source.path}`);
  return value === undefined ? { detail: `${what} has no value at ${source.path}` } : { value, detail: `${what} at ${source.path}` };
}
