/**
 * The human view, on stderr. On a terminal: a live step list with a spinner and elapsed time,
 * messages scrolling above it. Elsewhere (CI logs, pipes): one plain line per event.
 */
import type { EngineEvent } from '../../engine/events.js';
import type { RunOutcome } from '../../engine/executor.js';
import type { RunSummary } from '../../engine/timeline.js';
import type { RunState } from '../../engine/state.js';
import { formatDuration } from '../../util/duration.js';
import type { IO } from '../io.js';
import { changeLine, summaryTable } from './format.js';
import type { RunView } from './run-view.js';
import type { Styles } from './styles.js';

/** A run's playbook, config and commands are journaled at its start; resume uses those. */
const FROZEN = '; its config and commands are frozen: edits to release.config.yaml apply to new runs only';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

interface StepRow {
  id: string;
  status: 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'undone' | 'paused' | 'planned';
  since?: number;
  took?: number;
}

export class HumanRunView implements RunView {
  private rows: StepRow[] = [];
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  /** A rejection's words, shown once where it is decided; later lines point back to it. */
  private rejection: string | undefined;

  constructor(
    private readonly io: IO,
    /** Plain text where no colour is wanted (styles.ts). */
    private readonly c: Styles,
    private readonly live: boolean,
  ) {}

  begin(state: RunState): void {
    const shown: Record<string, StepRow['status']> = { succeeded: 'succeeded', failed: 'failed', undone: 'undone', paused: 'paused', running: 'paused', interrupted: 'paused', unsettled: 'failed' };
    this.rows = state.steps.map((s) => ({ id: s.id, status: shown[s.status] ?? 'pending' }));
    this.io.err.write(this.c.bold(`${state.playbook.name} — ${String(state.release.summary ?? '')}`) + this.c.dim(`  (run ${state.runId})\n`));
  }

  event(e: EngineEvent): void {
    this.track(e);
    const lines = this.describe(e);
    if (!this.live) {
      for (const line of lines) this.io.err.write(`${line}\n`);
      return;
    }
    this.redraw(lines);
    if (e.type === 'step.waiting') {
      // A prompt is about to draw below the list: stop redrawing over it. The next event draws
      // a fresh list under the answered prompt.
      this.stopTimer();
      this.drawn = 0;
    }
  }

  outcome(outcome: RunOutcome, summary?: RunSummary): void {
    this.stopTimer();
    if (this.live) this.redraw([]);
    this.drawn = 0;
    const c = this.c;
    const mark = outcome.exit === 'ok' ? c.green('✔') : outcome.exit === 'paused' ? c.yellow('⏸') : c.red('✖');
    if (summary && !summary.steps.every((s) => s.status === 'pending')) {
      this.io.err.write(`\n${summaryTable(summary).join('\n')}\n`);
    }
    this.io.err.write(`\n${mark} ${this.once(outcome.message)}\n`);
    if (outcome.live?.length) this.io.err.write(`Live now:\n${outcome.live.map((l) => `  ${l}`).join('\n')}\n`);
    if (outcome.hint) this.io.err.write(`${outcome.hint}\n`);
  }

  close(): void {
    this.stopTimer();
  }

  private once(text: string): string {
    return this.rejection && text.includes(this.rejection) ? text.replace(this.rejection, '(the reason above)') : text;
  }

  /** The plain lines an event shows as (also used by `release log`). */
  describe(e: EngineEvent): string[] {
    const c = this.c;
    switch (e.type) {
      case 'run.created':
        return [c.bold(`${e.dryRun ? 'Dry run of' : 'Run'} ${e.playbook.name} — ${String(e.release.summary ?? '')}`) + c.dim(`  (run ${e.runId}${e.dryRun ? '' : FROZEN})`)];
      case 'run.resumed':
        return [c.bold(`Resuming run ${e.runId}`) + c.dim(` as ${e.by.who} on ${e.by.host}`)];
      case 'step.started': {
        const warnings = e.attempt === 1 ? (e.plan.notes ?? []).filter((n) => n.startsWith('warning:')).map((n) => c.yellow(`  ${e.step}: ${n}`)) : [];
        if (e.continued) return [`▶ ${e.step} (continued): ${e.plan.summary}`, ...warnings];
        if (this.live && e.attempt === 1) return warnings;
        return [`${e.attempt > 1 ? c.yellow('↻') : '●'} ${e.step}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}: ${e.plan.summary}`, ...warnings];
      }
      case 'step.progress':
        return [c.dim(`  ${e.step}: ${e.message}`)];
      case 'step.attempt-failed':
        return [c.yellow(`  ${e.step}: attempt ${e.attempt} failed: ${e.error.message} — retrying in ${formatDuration(e.retryInMs)}`)];
      case 'step.succeeded':
        return this.live ? [] : [`${c.green('✔')} ${e.step}${e.settledBy === 'verify' ? c.dim(' (found done on resume)') : ''}`];
      case 'step.failed':
        return [
          `${c.red('✖')} ${e.step}: ${this.once(e.error.message)}`,
          ...(e.error.hint ? [c.dim(`  next: ${e.error.hint}`)] : []),
          ...(e.decision.then === 'rollback' ? [c.yellow(`↩ Rolling back (${e.decision.steps.join(', ') || 'nothing to undo'})`)] : []),
        ];
      case 'step.interrupted':
        return [c.yellow(`⏹ ${e.step} interrupted`)];
      case 'step.unsettled':
        return [c.red(`? ${e.step}: cannot tell whether it took effect: ${e.check}`)];
      case 'step.declined':
        return [c.yellow(`⏹ ${e.step} not confirmed`)];
      case 'step.recorded':
        return typeof e.record.summary === 'string' ? [`  ${e.step}: ${e.record.summary}`] : [];
      case 'gate.opened':
        return [c.bold(`⏸ Gate ${e.gate}: ${e.title}`), ...e.instructions.map((i) => `    - ${i}`)];
      case 'gate.decided':
        if (!e.approved && e.reason) this.rejection = e.reason;
        return [`${e.approved ? c.green('✔') : c.red('✖')} gate ${e.gate} ${e.approved ? 'approved' : 'rejected'} by ${e.by}${e.reason ? `: ${e.reason}` : ''}`];
      case 'rollback.started':
        return [c.yellow(`↩ Rolling back (${e.steps.join(', ') || 'nothing to undo'}): ${e.reason}`)];
      case 'undo.started':
        return [c.yellow(`  ↩ undo ${e.step}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`)];
      case 'undo.succeeded':
        return [`  ${c.green('✔')} ${e.step} undone`];
      case 'undo.failed':
        return [c.red(`  ✖ undo ${e.step} failed: ${e.error.message}`)];
      case 'plan.step':
        return [`• ${c.bold(e.step)}: ${e.plan.summary}`, ...e.plan.changes.map((ch) => `    ${changeLine(ch, c)}`), ...(e.plan.notes ?? []).map((n) => c.dim(`    ${n}`))];
      case 'plan.blocked':
        return e.problems.map((p) => c.red(`    ! ${p}`));
      case 'journal.torn':
        return [c.yellow(`! journal line ${e.line} was cut short (a crash or a full disk)${e.fragment.type ? `: it began a ${e.fragment.type}${e.fragment.step ? ` of ${e.fragment.step}` : ''}` : ''}; kept as evidence`)];
      case 'run.repaired':
        return [c.yellow(`! ${e.by.who} ${e.decision === 'accept' ? 'accepted the readable journal' : 'closed the run'} after damage at line ${e.damage.line}: ${e.reason}`)];
      case 'step.paused':
      case 'step.waiting':
      case 'run.paused':
      case 'run.finished':
      case 'run.summary':
        return [];
    }
  }

  private track(e: EngineEvent): void {
    const row = 'step' in e ? this.rows.find((r) => r.id === e.step) : undefined;
    const now = Date.parse(e.ts);
    switch (e.type) {
      case 'run.created':
        this.rows = e.playbook.steps.map((s) => ({ id: s.id, status: 'pending' }));
        break;
      case 'step.started':
        if (row) Object.assign(row, { status: 'running', since: row.status === 'running' ? row.since : now });
        this.startTimer();
        break;
      case 'step.waiting':
        if (row) row.status = 'waiting';
        break;
      case 'step.succeeded':
        if (row) Object.assign(row, { status: 'succeeded', took: row.since ? now - row.since : undefined });
        break;
      case 'step.failed':
      case 'step.unsettled':
        if (row) row.status = 'failed';
        break;
      case 'step.paused':
      case 'step.interrupted':
      case 'step.declined':
        if (row) row.status = 'paused';
        break;
      case 'undo.succeeded':
        if (row) row.status = 'undone';
        break;
      case 'plan.step':
        if (row) row.status = 'planned';
        break;
    }
  }

  private redraw(lines: string[]): void {
    let out = this.drawn ? `\x1b[${this.drawn}A\x1b[0J` : '';
    for (const line of lines) out += `${line}\n`;
    const width = Math.max(20, this.io.stderrColumns - 1);
    const block = this.rows.map((r) => truncate(this.rowLine(r), width));
    out += block.map((l) => `${l}\n`).join('');
    this.drawn = block.length;
    this.io.err.write(out);
  }

  private rowLine(r: StepRow): string {
    const c = this.c;
    const elapsed = r.since ? formatDuration(Date.now() - r.since) : '';
    switch (r.status) {
      case 'pending':
        return c.dim(`  ○ ${r.id}`);
      case 'running':
        return `  ${c.cyan(SPINNER[this.frame % SPINNER.length]!)} ${r.id} ${c.dim(elapsed)}`;
      case 'waiting':
        return `  ${c.yellow('⏸')} ${r.id} ${c.dim(`waiting for you${elapsed ? ` · ${elapsed}` : ''}`)}`;
      case 'succeeded':
        return `  ${c.green('✔')} ${r.id} ${c.dim(r.took === undefined ? '' : formatDuration(r.took))}`;
      case 'failed':
        return `  ${c.red('✖')} ${r.id}`;
      case 'undone':
        return `  ${c.yellow('↩')} ${r.id} ${c.dim('undone')}`;
      case 'paused':
        return `  ${c.yellow('⏸')} ${r.id}`;
      case 'planned':
        return `  ${c.blue('•')} ${r.id}`;
    }
  }

  private startTimer(): void {
    if (!this.live || this.timer) return;
    this.timer = setInterval(() => {
      this.frame++;
      this.redraw([]);
    }, 100);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** Cuts a line to the terminal width (counting visible characters only), so redraws stay aligned. */
function truncate(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i);
      out += line.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= width) continue;
    out += line[i];
    visible++;
  }
  return out;
}
