/** The real metrics port: each gate's source says which reader serves it. */
import { readCommand } from './command.js';
import { readHttp } from './http.js';
import type { MetricQuery, MetricsPort, Reading } from './port.js';
import { readPrometheus } from './prometheus.js';
import { readSentry } from './sentry.js';

export class SourceMetrics implements MetricsPort {
  constructor(private readonly opts: { baseDir: string; env: NodeJS.ProcessEnv }) {}

  read(query: MetricQuery, signal?: AbortSignal): Promise<Reading> {
    const { source } = query;
    if ('command' in source) return readCommand(source, query, { ...this.opts, signal });
    if ('http' in source) return readHttp(source, query, { env: this.opts.env, signal });
    if ('prometheus' in source) return readPrometheus(source, query, signal);
    return readSentry(source.sentry, query, { env: this.opts.env, signal });
  }
}
