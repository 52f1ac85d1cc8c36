/**
 * The mobile deployment decision record (seed 001: its five sections) filled with the policy's
 * numbers, as Markdown for a PR, a wiki page or a CI step summary.
 */
import { PLATFORM_NAMES } from '../providers/stores/port.js';
import type { AdoptionDecision } from './adoption.js';
import type { PolicyOutcome, PolicySettings } from './policy.js';

const DAY = 86_400_000;

export const days = (ms: number): string => {
  const d = ms / DAY;
  return Number.isInteger(d) ? `${d} d` : `${Math.round((ms / 3_600_000) * 10) / 10} h`;
};

const date = (iso: string) => iso.slice(0, 10);

/** The median gap between consecutive versions inside the window, in days; undefined with fewer than two. */
export function cadenceDays(outcome: PolicyOutcome['platforms'][number]): number | undefined {
  const times = outcome.surface.map((r) => Date.parse(r.releasedAt)).sort((a, b) => a - b);
  const gaps = times.slice(1).map((t, i) => (t - times[i]!) / DAY).sort((a, b) => a - b);
  if (!gaps.length) return undefined;
  return Math.round(gaps[Math.floor(gaps.length / 2)]! * 10) / 10;
}

export function decisionRecord(o: PolicyOutcome, s: PolicySettings, ctx: { app: string; flags: string[]; adoption?: AdoptionDecision }): string {
  const rows = o.platforms.map((p) => {
    const cadence = cadenceDays(p);
    return `| ${PLATFORM_NAMES[p.platform]} | ${cadence === undefined ? 'unknown' : `every ${cadence} d`} | ${p.surface.length} | ${p.floor ?? '–'} | ${p.surface.map((r) => r.version).join(', ') || '–'} |`;
  });
  return `# Mobile deployment decision record: ${ctx.app}

_Computed by \`release policy\` on ${date(o.now)} from the release history; the numbers follow seed 001 §1-§5._

## 1. Release cadence and emergency release procedure

| Platform | Cadence (median, inside the window) | Versions in the window | Oldest | Versions |
| --- | --- | --- | --- | --- |
${rows.join('\n')}

An emergency release goes through the same checked flip as any release; plan for a store review of up to ${days(s.maxReviewLatencyMs)}.

## 2. Forced upgrade policy and minimum version enforcement

Clients older than **${days(s.forcedUpgradeWindowMs)}** must upgrade (a time window, not a version number). Today that means
\`minimum_version\` **${o.minimumVersion ?? 'unknown (no version in the window)'}**${o.capped ? ` (${o.capped})` : ''}; versions released before ${date(o.windowStart)} are below the floor.
${ctx.adoption ? `Adoption: ${ctx.adoption.reason}; the floor to apply is **${ctx.adoption.floor ?? 'none'}**.\n` : ''}The floor is raised through a journaled run: \`release policy --apply\` (or \`release min-version <version> --reason <text>\`); old apps then meet the force-update wall (426 or the app's own).

## 3. Server-side API backward compatibility window

Backward-compatibility window = forced-upgrade window + maximum review latency + adoption tail =
${days(s.forcedUpgradeWindowMs)} + ${days(s.maxReviewLatencyMs)} + ${days(s.adoptionTailMs)} = **${days(o.compatibilityWindowMs)}**.
An API that ${o.removal.version} no longer calls may be removed on **${date(o.removal.earliest)}** at the earliest (${o.removal.assumed ? `${o.removal.version} is not in the history: counted from today` : `${o.removal.version} was released ${date(o.removal.from)}`}).
Hold it longer while the share of sessions below the floor stays above 1-2 %.

## 4. Feature flag strategy for mobile releases

Kill switches in the remote config: ${ctx.flags.length ? ctx.flags.map((f) => `\`${f}\``).join(', ') : 'none'}. Turning one off takes effect for every client at once: \`release flag <name> off --reason <text>\`.

## 5. Staged rollout strategy and rollback procedure

Normal releases: 5 % day 1, 20 % day 2, 50 % day 3, 100 % day 5; hotfixes: 10 % at once, 50 % after 1 h, 100 % after 4 h, each stage gated on measured crash and error rates.
Halting (Play) or pausing (App Store) stops further spread but never reverts users who updated: the server-side mitigation is a flag; on Android, Play App Recovery (\`release app-recovery create --versions <codes>\`) asks users of a bad version to update.
`;
}
