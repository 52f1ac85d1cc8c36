/**
 * Metric backends for gate tests, on 127.0.0.1: a Prometheus instant-query endpoint and a Sentry
 * release-health sessions endpoint, answering in each one's own shape with values the test sets.
 */
import { TestServer } from './http.js';

/** GET /api/v1/query: a vector with one sample per value set for the query, or an empty vector. */
export function prometheus(values: Map<string, number>): TestServer {
  return new TestServer().route('GET', /^\/api\/v1\/query$/, (req) => {
    const query = req.query.get('query') ?? '';
    if (!query) return { status: 400, body: { status: 'error', errorType: 'bad_data', error: 'parse error: no query' } };
    const value = values.get(query);
    const result = value === undefined ? [] : [{ metric: { job: 'app' }, value: [Date.now() / 1000, String(value)] }];
    return { status: 200, body: { status: 'success', data: { resultType: 'vector', result } } };
  });
}

/** GET /api/0/organizations/{org}/sessions/: totals of crash_free_rate(session) and sum(session) per release. */
export function sentry(org: string, token: string, releases: Map<string, { rate: number; sessions: number }>): TestServer {
  return new TestServer().route('GET', /^\/api\/0\/organizations\/([^/]+)\/sessions\/$/, (req, [slug]) => {
    if (req.headers.authorization !== `Bearer ${token}`) return { status: 401, body: { detail: 'Invalid token' } };
    if (slug !== org) return { status: 404, body: { detail: 'The requested resource does not exist' } };
    const fields = req.query.getAll('field');
    const release = /^release:(.+)$/.exec(req.query.get('query') ?? '')?.[1];
    const data = release ? releases.get(release) : undefined;
    const totals: Record<string, number | null> = {};
    if (fields.includes('crash_free_rate(session)')) totals['crash_free_rate(session)'] = data ? data.rate : null;
    if (fields.includes('sum(session)')) totals['sum(session)'] = data?.sessions ?? 0;
    return { status: 200, body: { start: '2026-12-01T21:00:00Z', end: '2026-12-01T22:00:00Z', intervals: ['2026-12-01T21:00:00Z'], groups: [{ by: {}, totals, series: {} }], query: req.query.get('query') } };
  });
}
