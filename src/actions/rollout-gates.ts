/**
 * A rollout gate: a metric, a bound and a measurement window, judged as Argo Rollouts' analysis
 * does — Successful, Failed, or Inconclusive (no data, too few sessions) — never "no news is good".
 */
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { errorMessage } from '../errors.js';
import { Duration } from '../playbook/duration-input.js';
import { describeSource, MetricSourceSchema, type MetricsPort } from '../providers/metrics/port.js';
import { formatDuration } from '../util/duration.js';
import type { JsonObject } from '../util/json-path.js';

export const GateSchema = z
  .strictObject({
    metric: z.string().check(z.regex(/^[\w.-]+$/, 'a metric name, e.g. crash_free_sessions')),
    source: MetricSourceSchema,
    min: described(z.optional(z.number()), 'passes when the value is at least this'),
    max: described(z.optional(z.number()), 'passes when the value is at most this'),
    window: described(z._default(Duration, 15 * 60_000), 'measurement window, e.g. 15m'),
  })
  .check(z.refine((g) => (g.min === undefined) !== (g.max === undefined), { message: 'give exactly one of min or max' }));
export type Gate = z.output<typeof GateSchema>;

export type GateVerdict = 'successful' | 'failed' | 'inconclusive';

/** One evaluation, as the journal keeps it. */
export interface Evaluation extends JsonObject {
  metric: string;
  value: number | null;
  threshold: string;
  window: string;
  verdict: GateVerdict;
  detail: string;
}

export const thresholdOf = (g: Gate): string => (g.min !== undefined ? `>= ${g.min}` : `<= ${g.max}`);

export async function evaluate(gate: Gate, metrics: MetricsPort, version: string, signal: AbortSignal): Promise<Evaluation> {
  const base = { metric: gate.metric, threshold: thresholdOf(gate), window: formatDuration(gate.window) };
  try {
    const reading = await metrics.read({ metric: gate.metric, source: gate.source, windowMs: gate.window, version, threshold: (gate.min ?? gate.max)! }, signal);
    if (reading.value === undefined) return { ...base, value: null, verdict: 'inconclusive', detail: reading.detail };
    const ok = gate.min !== undefined ? reading.value >= gate.min : reading.value <= gate.max!;
    return { ...base, value: reading.value, verdict: ok ? 'successful' : 'failed', detail: reading.detail };
  } catch (err) {
    // A source that cannot be read says nothing about the release: ask again, then a human.
    if (signal.aborted) throw err;
    return { ...base, value: null, verdict: 'inconclusive', detail: `${describeSource(gate.source)} could not be read: ${errorMessage(err)}` };
  }
}

/** The worst verdict wins: one failed gate halts, one inconclusive gate waits. */
export function overall(evaluations: Evaluation[]): GateVerdict {
  if (evaluations.some((e) => e.verdict === 'failed')) return 'failed';
  if (evaluations.some((e) => e.verdict === 'inconclusive')) return 'inconclusive';
  return 'successful';
}

export const describeEvaluation = (e: Evaluation): string => `${e.metric} ${e.value ?? 'no data'} (${e.threshold} over ${e.window}): ${e.verdict}`;
