/**
 * Simulated metric readings: `--sandbox-metric <name>=<value>` sets what every gate of that metric
 * reads (`none`: no data). A metric not given reads from its real source when the run has one
 * (a config whose ports are `sandbox` but whose gates are real), else it reads exactly the gate's threshold (a pass).
 */
import type { MetricQuery, MetricsPort, Reading } from '../metrics/port.js';

/** name -> value; null is "no data". */
export type SandboxMetricValues = Record<string, number | null>;

export class SandboxMetrics implements MetricsPort {
  constructor(
    private readonly values: SandboxMetricValues,
    private readonly fallback?: MetricsPort,
  ) {}

  async read(query: MetricQuery, signal?: AbortSignal): Promise<Reading> {
    if (query.metric in this.values) {
      const value = this.values[query.metric];
      return value === null ? { detail: `simulated: no data (--sandbox-metric ${query.metric}=none)` } : { value, detail: `simulated by --sandbox-metric ${query.metric}=${value}` };
    }
    if (this.fallback) return this.fallback.read(query, signal);
    return { value: query.threshold, detail: `simulated: at the threshold (no --sandbox-metric ${query.metric}=<value> given)` };
  }
}
