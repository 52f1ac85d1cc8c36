/**
 * Adoption holds the floor back (seed 001 §3, issue 9 item 5), pure: the policy proposes a floor
 * from time alone; a measured share of sessions still below a candidate floor keeps it lower while
 * the tail is above `maxShareBelow` percent. The readings come in; the floor to apply comes out.
 * - the candidates are the released versions above the floor in force, up to the proposed one
 * - the highest candidate whose share below is within the threshold is the floor
 * - none within: the floor is not raised; no data for a candidate: not raised on that evidence
 */
import semver from '../util/semver.js';

/** The metric an adoption source reports, and the name `--sandbox-metric` sets it by. */
export const ADOPTION_METRIC = 'sessions_below_floor';

/** The share (percent) of sessions on versions below `version`; undefined: the source has no data. */
export interface AdoptionReading {
  version: string;
  share?: number;
  detail: string;
}

export interface AdoptionDecision {
  proposed: string;
  /** The lowest floor in force now (undefined: none set). */
  current?: string;
  maxShareBelow: number;
  /** The floor to apply: the proposed one, a lower candidate, or the current one (not raised). */
  floor?: string;
  held: boolean;
  /** Why, in words, with the measured share. */
  reason: string;
  readings: AdoptionReading[];
}

/** The versions a floor may be held back to, highest first: above the current floor, up to the proposed one. */
export function candidateFloors(released: string[], proposed: string, current: string | undefined): string[] {
  const inRange = released.filter((v) => semver.lte(v, proposed) && (!current || semver.gt(v, current)));
  return [...new Set([proposed, ...inRange])].sort(semver.rcompare);
}

/** A reading that decides the floor: no data (not raised), or a share within the threshold. */
export const settles = (r: AdoptionReading, maxShareBelow: number): boolean => r.share === undefined || r.share <= maxShareBelow;

/** `readings` in the order of `candidateFloors`, highest first; read until one is within or has no data. */
export function holdBack(input: { proposed: string; current?: string; maxShareBelow: number; readings: AdoptionReading[] }): AdoptionDecision {
  const { proposed, current, maxShareBelow } = input;
  const used: AdoptionReading[] = [];
  const base = { proposed, ...(current ? { current } : {}), maxShareBelow };
  const notRaised = current ? `the floor stays at ${current}` : 'the floor is not set';
  for (const reading of input.readings) {
    used.push(reading);
    if (reading.share === undefined) {
      return { ...base, ...(current ? { floor: current } : {}), held: true, readings: used, reason: `no adoption data for ${reading.version} (${reading.detail}): ${notRaised}, not raised on no evidence` };
    }
    if (reading.share <= maxShareBelow) {
      const first = used[0]!;
      const reason =
        reading.version === proposed
          ? `${reading.share} % of sessions are below ${proposed}, within ${maxShareBelow} %`
          : `${first.share} % of sessions are below ${proposed}, above ${maxShareBelow} %: held back to ${reading.version} (${reading.share} % below it)`;
      return { ...base, floor: reading.version, held: reading.version !== proposed, readings: used, reason };
    }
  }
  const first = used[0];
  return { ...base, ...(current ? { floor: current } : {}), held: true, readings: used, reason: `${first?.share ?? '?'} % of sessions are below ${proposed}, above ${maxShareBelow} %, and no version above ${current ?? 'the unset floor'} is within it: ${notRaised}` };
}
