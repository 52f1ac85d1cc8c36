/** Plain-text pieces shared by the views: diffs, durations, the run summary table. */
import type { Change } from '../../engine/action.js';
import type { RunSummary } from '../../engine/timeline.js';
import { formatDuration } from '../../util/duration.js';
import type { Styles } from './styles.js';

export function changeLine(c: Change, color: Styles): string {
  const arrow = (before: unknown, after: unknown) => `${color.red(show(before))} -> ${color.green(show(after))}`;
  switch (c.target) {
    case 'config':
      return `config  ${c.path}: ${arrow(c.before, c.after)}`;
    case 'backend':
      return `backend ${arrow(c.before ?? 'unknown', c.after)}`;
    case 'store':
      return `store   ${c.platform}: ${arrow(c.before, c.after)}`;
    case 'rollout':
      return `rollout ${c.platform}: ${arrow(c.before, c.after)}`;
    case 'recovery':
      return `app recovery ${c.platform}: ${arrow(c.before, c.after)}`;
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function windowLine(summary: RunSummary): string | undefined {
  const w = summary.window;
  if (!w.wallUpAt) return undefined;
  const parts = [
    w.stillWalled
      ? `old apps are still walled (for ${formatDuration(w.walledMs ?? 0)} so far)`
      : `old apps were walled for ${formatDuration(w.walledMs ?? 0)} (wall up -> wall down)`,
  ];
  if (w.configToPublishMs !== undefined) parts.push(`config change -> publish: ${formatDuration(w.configToPublishMs)}`);
  return `Transition window: ${parts.join('; ')}`;
}

/** Waits inside steps worth a line: the public config catching up with a write. */
export function waitLines(summary: RunSummary): string[] {
  return summary.steps.flatMap((s) => {
    const ms = s.output?.propagationMs;
    return typeof ms === 'number' ? [`${s.id} waited ${formatDuration(ms)} for ${String(s.output?.publicUrl ?? 'the public config')} to show the new values`] : [];
  });
}

export function summaryTable(summary: RunSummary): string[] {
  const width = Math.max(4, ...summary.steps.map((s) => s.id.length));
  const rows = summary.steps.map(
    (s) => `  ${s.id.padEnd(width)}  ${s.status.padEnd(10)}  ${s.durationMs === undefined ? '-' : formatDuration(s.durationMs)}`,
  );
  const window = windowLine(summary);
  const ports = summary.ports ? [`Ports: ${Object.entries(summary.ports).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`] : [];
  return [`  ${'Step'.padEnd(width)}  ${'Status'.padEnd(10)}  Duration`, ...rows, ...waitLines(summary), ...(window ? [window] : []), ...ports, `Total: ${formatDuration(summary.durationMs)}`];
}
