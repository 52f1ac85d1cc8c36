/**
 * A metric from Prometheus's instant query API: GET /api/v1/query?query=… answers
 * {status, data: {resultType, result}}; the first sample of a vector (or a scalar) is the value.
 * An empty vector means no data (Inconclusive), not zero.
 * https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries
 */
import { httpCall, HttpFailure, parseJson } from '../http-json.js';
import { numberOf, type MetricQuery, type Reading } from './port.js';

interface PromAnswer {
  status: string;
  error?: string;
  data?: { resultType: string; result: { value?: [number, string] }[] | [number, string] };
}

export async function readPrometheus(source: { prometheus: string; query: string }, query: MetricQuery, signal?: AbortSignal): Promise<Reading> {
  const what = `metric ${query.metric} (Prometheus ${source.query})`;
  const url = new URL('/api/v1/query', source.prometheus);
  url.searchParams.set('query', source.query);
  const answer = await httpCall(what, url.toString(), { timeoutMs: 30_000, signal });
  const body = parseJson(what, answer.text) as PromAnswer;
  if (answer.status !== 200 || body.status !== 'success') throw new HttpFailure(what, answer.status, body.error ?? answer.text.slice(0, 200));
  const result = body.data?.result;
  const sample = body.data?.resultType === 'scalar' ? (result as [number, string]) : (result as { value?: [number, string] }[] | undefined)?.[0]?.value;
  const value = numberOf(sample?.[1], what);
  return value === undefined ? { detail: `${what}: no data (empty result)` } : { value, detail: what };
}
