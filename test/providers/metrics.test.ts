/**
 * The metric sources a rollout gate reads, against real backends: a child process, an HTTP JSON
 * endpoint, a Prometheus instant query and Sentry release health, each on 127.0.0.1. Then the
 * gate's verdict over them: a value, a failure, and "no data" as Inconclusive, never as zero.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, GateSchema } from '../../src/actions/rollout-gates.js';
import { SourceMetrics } from '../../src/providers/metrics/index.js';
import type { MetricQuery, MetricSource } from '../../src/providers/metrics/port.js';
import { TestServer } from '../emulators/http.js';
import { prometheus, sentry } from '../emulators/metrics.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/print-metric.mjs', import.meta.url));
const query = (source: MetricSource, metric = 'crash_free_sessions'): MetricQuery => ({ metric, source, windowMs: 15 * 60_000, version: '2.0.0', threshold: 99.5 });
const metricsWith = (env: Record<string, string> = {}) => new SourceMetrics({ baseDir: process.cwd(), env: { ...process.env, ...env } });
const gate = (source: unknown) => GateSchema.parse({ metric: 'crash_free_sessions', source, min: 99.5, window: '15m' });

describe('command source (a real child process)', () => {
  const source = { command: ['node', FIXTURE], timeout: '30s' };

  it('reads the number it prints, and a JSON path when given one', async () => {
    expect(await metricsWith({ METRIC_OUTPUT: '99.71\n' }).read(query(source))).toMatchObject({ value: 99.71 });
    const json = { ...source, path: 'crash_free.sessions' };
    expect(await metricsWith({ METRIC_OUTPUT: '{"crash_free":{"sessions":98.2}}' }).read(query(json))).toMatchObject({ value: 98.2 });
  });

  it('empty output is no data; a failing command or a non-number is an error', async () => {
    expect((await metricsWith({ METRIC_OUTPUT: '' }).read(query(source))).value).toBeUndefined();
    await expect(metricsWith({ METRIC_EXIT: '3' }).read(query(source))).rejects.toThrow(/metric crash_free_sessions/);
    await expect(metricsWith({ METRIC_OUTPUT: 'lots' }).read(query(source))).rejects.toThrow(/not a number/);
  });
});

describe('HTTP JSON source', () => {
  const server = new TestServer().route('GET', /^\/stability$/, (req) =>
    req.headers.authorization === 'Bearer s3cret' ? { status: 200, body: { data: { crashFree: 99.93 } } } : { status: 401, body: { error: 'no' } },
  );
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('reads the number at the path, with headers filled from the environment', async () => {
    const source = { http: `${server.url}/stability`, path: 'data.crashFree', headers: { Authorization: 'Bearer ${STABILITY_TOKEN}' } };
    expect(await metricsWith({ STABILITY_TOKEN: 's3cret' }).read(query(source))).toMatchObject({ value: 99.93 });
    await expect(metricsWith({ STABILITY_TOKEN: 'wrong' }).read(query(source))).rejects.toThrow(/HTTP 401/);
  });
});

describe('Prometheus source', () => {
  const values = new Map([['avg_over_time(app_crash_free_ratio{version="2.0.0"}[15m]) * 100', 99.2]]);
  const server = prometheus(values);
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('reads the first sample of the vector; an empty vector is no data, not zero', async () => {
    const known = { prometheus: server.url, query: [...values.keys()][0]! };
    expect(await metricsWith().read(query(known))).toMatchObject({ value: 99.2 });
    const empty = await metricsWith().read(query({ prometheus: server.url, query: 'absent_metric' }));
    expect(empty.value).toBeUndefined();
    expect(empty.detail).toContain('no data');
  });

  it('judges: 99.2 fails a >= 99.5 gate; no data is Inconclusive', async () => {
    const failed = await evaluate(gate({ prometheus: server.url, query: [...values.keys()][0] }), metricsWith(), '2.0.0', new AbortController().signal);
    expect(failed).toMatchObject({ value: 99.2, threshold: '>= 99.5', window: '15m', verdict: 'failed' });
    const none = await evaluate(gate({ prometheus: server.url, query: 'absent_metric' }), metricsWith(), '2.0.0', new AbortController().signal);
    expect(none).toMatchObject({ value: null, verdict: 'inconclusive' });
  });
});

describe('Sentry release health source', () => {
  const server = sentry('shop', 'sntrys_token', new Map([['2.0.0', { rate: 0.9987, sessions: 5400 }], ['2.0.1', { rate: 1, sessions: 12 }]]));
  beforeAll(() => server.start());
  afterAll(() => server.stop());
  const source = (release?: string) => ({ sentry: { org: 'shop', project: 42, url: server.url, 'token-env': 'SENTRY_AUTH_TOKEN', 'min-sessions': 100, ...(release ? { release } : {}) } });

  it('reads crash-free sessions of the release as a percentage, asking for the release and at least an hour', async () => {
    expect(await metricsWith({ SENTRY_AUTH_TOKEN: 'sntrys_token' }).read(query(source()))).toMatchObject({ value: 99.87 });
    const call = server.calls.at(-1)!;
    const params = new URLSearchParams(call.query);
    expect(params.getAll('field')).toEqual(['crash_free_rate(session)', 'sum(session)']);
    expect(params.get('query')).toBe('release:2.0.0');
    expect(params.get('project')).toBe('42');
    expect(params.get('statsPeriod')).toBe('1h');
  });

  it('too few sessions is no data (Inconclusive); a bad token is an error', async () => {
    const few = await evaluate(gate(source('2.0.1')), metricsWith({ SENTRY_AUTH_TOKEN: 'sntrys_token' }), '2.0.1', new AbortController().signal);
    expect(few).toMatchObject({ value: null, verdict: 'inconclusive' });
    expect(few.detail).toContain('12 sessions');
    await expect(metricsWith({ SENTRY_AUTH_TOKEN: 'nope' }).read(query(source()))).rejects.toThrow(/HTTP 401/);
  });
});
