/**
 * The metrics port: what a staged rollout's gate reads (crash-free sessions, an error rate) at the
 * end of a hold. A source says what it saw, or that it has no data; judging is the gate's job.
 */
import * as z from '../../util/zod.js';

export const MetricSourceSchema = z.union([
  z.object({ command: z.array(z.string()).min(1).describe('argv; prints a number, or JSON read at `path`'), path: z.string().optional(), timeout: z.string().default('1m') }).strict(),
  z.object({ http: z.string().url().describe('GET this JSON endpoint'), path: z.string().describe('dotted path to the number, e.g. data.crashFree'), headers: z.record(z.string(), z.string()).default({}) }).strict(),
  z.object({ prometheus: z.string().url().describe('Prometheus base URL, e.g. http://prometheus:9090'), query: z.string().min(1).describe('PromQL; the first sample of the vector is read') }).strict(),
  z
    .object({
      sentry: z
        .object({
          org: z.string().min(1),
          project: z.union([z.string(), z.number()]).describe('numeric project id'),
          release: z.string().optional().describe('default: the app version'),
          'token-env': z.string().default('SENTRY_AUTH_TOKEN').describe('env var holding the auth token'),
          url: z.string().url().default('https://sentry.io').describe('self-hosted Sentry base URL'),
          'min-sessions': z.number().int().min(0).default(100).describe('fewer sessions than this: Inconclusive'),
        })
        .strict(),
    })
    .strict(),
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
