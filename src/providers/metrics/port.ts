/**
 * The metrics port: what a staged rollout's gate reads (crash-free sessions, an error rate) at the
 * end of a hold. A source says what it saw, or that it has no data; judging is the gate's job.
 */
import * as z from '../../util/zod-mini.js';
import { described } from '../../util/zod-mini.js';

/** Where a rollout gate reads its metric; the release config's `policy.adoption.source` too. */
export const MetricSourceSchema = z.union([
  z.strictObject({
    command: described(z.array(z.string()).check(z.minLength(1)), 'argv; prints a number, or JSON read at `path`'),
    path: z.optional(z.string()),
    timeout: z._default(z.string(), '1m'),
  }),
  z.strictObject({
    http: described(z.string().check(z.url()), 'GET this JSON endpoint'),
    path: described(z.string(), 'dotted path to the number, e.g. data.crashFree'),
    headers: z._default(z.record(z.string(), z.string()), {}),
  }),
  z.strictObject({
    prometheus: described(z.string().check(z.url()), 'Prometheus base URL, e.g. http://prometheus:9090'),
    query: described(z.string().check(z.minLength(1)), 'PromQL; the first sample of the vector is read'),
  }),
  z.strictObject({
    sentry: z.strictObject({
      org: z.string().check(z.minLength(1)),
      project: described(z.union([z.string(), z.number()]), 'numeric project id'),
      release: described(z.optional(z.string()), 'default: the app version'),
      'token-env': described(z._default(z.string(), 'SENTRY_AUTH_TOKEN'), 'env var holding the auth token'),
      url: described(z._default(z.string().check(z.url()), 'https://sentry.io'), 'self-hosted Sentry base URL'),
      'min-sessions': described(z._default(z.number().check(z.int()).check(z.gte(0)), 100), 'fewer sessions than this: Inconclusive'),
    }),
  }),
]);
export type MetricSource = z.output<typeof MetricSourceSchema>;

/** What the gate asks for: its metric, where to read it, and over how long. */
export interface MetricQuery {
  metric: string;
  source: MetricSource;
  windowMs: number;
  /** The version the metric is about: the app version rolling out (Sentry's release filter by default), or a candidate floor. */
  version: string;
  /** The gate's bound (its min or max): what a simulation reads when told nothing. */
  threshold: number;
}

/** `value` undefined: the source has no data (an empty vector, too few sessions) — Inconclusive, never zero. */
export interface Reading {
  value?: number;
  /** Why there is no value, or where the value came from. */
  detail: string;
}

export interface MetricsPort {
  read(query: MetricQuery, signal?: AbortSignal): Promise<Reading>;
}

export function describeSource(source: MetricSource): string {
  if ('command' in source) return `command ${source.command.join(' ')}`;
  if ('http' in source) return `${source.http} at ${source.path}`;
  if ('prometheus' in source) return `Prometheus ${source.query}`;
  return `Sentry ${source.sentry.org}/${source.sentry.project}`;
}

/** A number as sources print it: 99.7, "99.7", or null/absent (no data). Anything else is an error. */
export function numberOf(raw: unknown, what: string): number | undefined {
  if (raw === null || raw === undefined || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
  if (!Number.isFinite(n)) throw new Error(`${what} is not a number: ${JSON.stringify(raw).slice(0, 80)}`);
  return n;
}
