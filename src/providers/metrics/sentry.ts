/**
 * Crash-free sessions of one release from Sentry's release health API:
 *   GET /api/0/organizations/{org}/sessions/?field=crash_free_rate(session)&field=sum(session)
 *       &project={id}&query=release:{release}&statsPeriod=1h&interval=1h   (bearer token)
 * https://docs.sentry.io/api/releases/retrieve-release-health-session-statistics
 * The answer's groups[0].totals holds both fields; the rate is a fraction, read here as a
 * percentage (99.5). The API rounds periods to at least an hour, so a 15-minute window reads the
 * last hour. Too few sessions make the rate meaningless: below `min-sessions` there is no value.
 */
import { httpCall, HttpFailure, parseJson } from '../http-json.js';
import { numberOf, type MetricQuery, type Reading } from './port.js';

const RATE = 'crash_free_rate(session)';
const COUNT = 'sum(session)';
const HOUR = 3_600_000;

export interface SentrySource {
  org: string;
  project: string | number;
  release?: string;
  'token-env': string;
  url: string;
  'min-sessions': number;
}

export async function readSentry(source: SentrySource, query: MetricQuery, opts: { env: NodeJS.ProcessEnv; signal?: AbortSignal }): Promise<Reading> {
  const release = source.release ?? query.version;
  const what = `metric ${query.metric} (Sentry ${source.org}, release ${release})`;
  const token = opts.env[source['token-env']];
  if (!token) throw new Error(`${what}: env var ${source['token-env']} (the Sentry auth token) is not set`);
  const url = new URL(`/api/0/organizations/${encodeURIComponent(source.org)}/sessions/`, source.url);
  url.searchParams.append('field', RATE);
  url.searchParams.append('field', COUNT);
  url.searchParams.set('project', String(source.project));
  url.searchParams.set('query', `release:${release}`);
  url.searchParams.set('statsPeriod', `${Math.max(1, Math.ceil(query.windowMs / HOUR))}h`);
  url.searchParams.set('interval', '1h');
  const answer = await httpCall(what, url.toString(), { headers: { Authorization: `Bearer ${token}` }, timeoutMs: 30_000, signal: opts.signal });
  if (answer.status !== 200) throw new HttpFailure(what, answer.status, answer.text.slice(0, 200));
  const totals = (parseJson(what, answer.text) as { groups?: { totals?: Record<string, unknown> }[] }).groups?.[0]?.totals ?? {};
  const sessions = numberOf(totals[COUNT], `${what} ${COUNT}`) ?? 0;
  const rate = numberOf(totals[RATE], `${what} ${RATE}`);
  if (sessions < source['min-sessions'] || rate === undefined) return { detail: `${what}: ${sessions} sessions, fewer than the ${source['min-sessions']} a rate needs` };
  return { value: Math.round(rate * 100_000) / 1000, detail: `${what}, ${sessions} sessions` };
}
