/**
 * The staged rollout schedules of the decision record (seed 001 §5), declared once. A stage is a
 * Play fraction held for a while before the gates are judged; on the App Store each stage is a hold
 * point of Apple's own 7-day phased release, and the last (fraction 1) releases to everyone.
 */
import type { ResolvedPlaybook } from '../engine/events.js';

export interface Stage {
  fraction: number;
  /** How long to watch the gates before the next stage (ms); none on the last stage. */
  holdMs?: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const SCHEDULES = {
  /** 5% day 1, 20% day 2, 50% day 3, 100% day 5. */
  normal: [{ fraction: 0.05, holdMs: DAY }, { fraction: 0.2, holdMs: DAY }, { fraction: 0.5, holdMs: 2 * DAY }, { fraction: 1 }],
  /** A hotfix answers a known incident: 10% at once, 50% after 1 h stable, 100% after 4 h. */
  hotfix: [{ fraction: 0.1, holdMs: HOUR }, { fraction: 0.5, holdMs: 3 * HOUR }, { fraction: 1 }],
} satisfies Record<string, Stage[]>;

export type ScheduleName = keyof typeof SCHEDULES;

export const STAGED_ROLLOUT = 'store/staged-rollout';

/** The Play fraction a playbook's staged rollout starts at: the one its release is submitted with (sandbox worlds). */
export function firstFractionOf(playbook: ResolvedPlaybook): number | undefined {
  const step = playbook.steps.find((s) => s.uses === STAGED_ROLLOUT);
  if (!step) return undefined;
  const stages = (step.with.stages as { fraction: number }[] | undefined) ?? SCHEDULES[(step.with.schedule as ScheduleName | undefined) ?? 'normal'];
  const first = stages[0]?.fraction;
  return first !== undefined && first < 1 ? first : undefined;
}
