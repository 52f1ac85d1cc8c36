/** `release report`: the run's timeline as Markdown with a Mermaid gantt chart. */
import type { RunSummary } from '../../engine/timeline.js';
import type { RunState } from '../../engine/state.js';
import { formatDuration } from '../../util/duration.js';
import { waitLines } from './format.js';

export function markdownReport(state: RunState, summary: RunSummary): string {
  const time = (iso?: string) => (iso ? iso.slice(11, 19) : '-');
  const lines = [
    `## release ${summary.playbook}: ${summary.status}`,
    '',
    `Run \`${summary.runId}\` · ${String(state.release.summary ?? '')} · started ${summary.startedAt} · took ${formatDuration(summary.durationMs)}`,
    '',
    ...(summary.ports ? [`Ports: ${Object.entries(summary.ports).map(([k, v]) => `${k} **${String(v)}**`).join(', ')}`, ''] : []),
    '| Step | Status | Started (UTC) | Duration |',
    '| --- | --- | --- | --- |',
    ...summary.steps.map((s) => `| ${s.id} | ${s.status} | ${time(s.startedAt)} | ${s.durationMs === undefined ? '-' : formatDuration(s.durationMs)} |`),
    '',
  ];
  const w = summary.window;
  if (w.wallUpAt) {
    lines.push(
      `**Transition window:** old apps ${w.stillWalled ? 'are still' : 'were'} walled for ${formatDuration(w.walledMs ?? 0)} (wall up ${time(w.wallUpAt)} → ${w.wallDownAt ? `wall down ${time(w.wallDownAt)}` : 'still up'})` +
        (w.configToPublishMs !== undefined ? `; config change → publish: ${formatDuration(w.configToPublishMs)}.` : '.'),
      '',
    );
  }
  const waits = waitLines(summary);
  if (waits.length) lines.push(...waits.map((w) => `- ${w}`), '');
  if (state.finished) lines.push(`> ${state.finished.message}${state.finished.hint ? `\n> ${state.finished.hint}` : ''}`, '');

  const ms = (iso: string) => Date.parse(iso);
  const tasks = summary.steps
    .filter((s) => s.startedAt && s.endedAt)
    .map((s, i) => {
      const tag = s.status === 'failed' || s.status === 'undone' ? 'crit, ' : s.status === 'succeeded' ? 'done, ' : 'active, ';
      const end = Math.max(ms(s.endedAt!), ms(s.startedAt!) + 1);
      return `    ${mermaidName(s.id)} :${tag}s${i}, ${ms(s.startedAt!)}, ${end}`;
    });
  if (tasks.length) {
    lines.push('```mermaid', 'gantt', `    title ${mermaidName(summary.playbook)} (${summary.runId})`, '    dateFormat x', '    axisFormat %H:%M:%S', '    section Steps', ...tasks);
    if (w.wallUpAt) {
      const end = Math.max(ms(w.wallDownAt ?? summary.endedAt), ms(w.wallUpAt) + 1);
      lines.push('    section Old apps', `    Walled :crit, wall, ${ms(w.wallUpAt)}, ${end}`);
    }
    lines.push('```', '');
  }
  return lines.join('\n');
}

/** Mermaid task names may not contain `:` or `#`. */
function mermaidName(text: string): string {
  return text.replace(/[:#;]/g, ' ');
}
