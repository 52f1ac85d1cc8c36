/**
 * Reads the adoption share of each candidate floor through the metrics port, the same readers a
 * rollout gate uses: the query's version is the candidate (a command's RELEASE_VERSION, `{version}`
 * in an HTTP URL). Highest first, stopping where `holdBack` would; a source that cannot be read
 * is no data, never zero.
 */
import { errorMessage } from '../errors.js';
import { describeSource, type MetricSource, type MetricsPort } from '../providers/metrics/port.js';
import { ADOPTION_METRIC, settles, type AdoptionReading } from './adoption.js';

const DAY = 86_400_000;

export async function readAdoption(metrics: MetricsPort, adoption: { source: MetricSource; maxShareBelow: number }, candidates: string[]): Promise<AdoptionReading[]> {
  const readings: AdoptionReading[] = [];
  for (const version of candidates) {
    const reading = await readOne(metrics, adoption, version);
    readings.push(reading);
    if (settles(reading, adoption.maxShareBelow)) break;
  }
  return readings;
}

async function readOne(metrics: MetricsPort, adoption: { source: MetricSource; maxShareBelow: number }, version: string): Promise<AdoptionReading> {
  try {
    const r = await metrics.read({ metric: ADOPTION_METRIC, source: adoption.source, windowMs: DAY, version, threshold: adoption.maxShareBelow });
    return { version, ...(r.value !== undefined ? { share: r.value } : {}), detail: r.detail };
  } catch (err) {
    return { version, detail: `${describeSource(adoption.source)} could not be read: ${errorMessage(err)}` };
  }
}
