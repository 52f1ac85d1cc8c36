/**
 * GitHub Actions native mode (GITHUB_ACTIONS=true, read from the IO's env): each step of a run
 * in a log group, failures and store warnings as annotations, a stop at a gate as a notice with
 * the command that continues, the Markdown timeline (`release report`'s) in the job summary at
 * every stop, and the run's id, status, exit code and continue command as step outputs. Every
 * secret the run masks is registered with `::add-mask::` as soon as the run learns it, before
 * anything of the run is printed.
 *
 * Workflow commands go to stdout; with `--json` stdout is NDJSON only, so they go to stderr,
 * which the runner reads for workflow commands as well.
 *
 * Formats (workflow commands, escaping, GITHUB_OUTPUT with its `name<<delimiter` form, the step
 * summary): https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
 * The escaping is the one of actions/toolkit (`@actions/core`, command.ts and file-command.ts).
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { DurableEvent, EngineEvent } from '../engine/events.js';
import type { EngineDeps, RunOutcome } from '../engine/executor.js';
import { isTerminal, reduceRun } from '../engine/state.js';
import type { RunSummary } from '../engine/timeline.js';
import { EXIT_CODES } from '../errors.js';
import type { IO, TextSink } from './io.js';
import { markdownReport } from './views/report.js';
import type { RunView } from './views/run-view.js';

/** A command's value: `%`, CR and LF are escaped (the runner unescapes them). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value (`title=`): also `:` and `,`, which end a property. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function workflowCommand(name: string, message: string, properties: Record<string, string> = {}): string {
  const props = Object.entries(properties).map(([k, v]) => `${k}=${escapeProperty(v)}`).join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}\n`;
}

/** One GITHUB_OUTPUT entry: `name=value`, or the delimiter form for a value over several lines. */
export function outputEntry(name: string, value: string): string {
  if (!/[\r\n]/.test(value)) return `${name}=${value}\n`;
  const delimiter = `ghadelimiter_${randomUUID()}`;
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

type Annotation = 'error' | 'warning' | 'notice';

/** The commands a run's hints print (context.ts `commandsFor`). */
type CommandTemplates = EngineDeps<unknown>['commands'];

export class GitHubActions {
  /** Where workflow commands go: masked like everything else the CLI writes. */
  private readonly commands: TextSink;
  /** The same stream unmasked, for `::add-mask::` only. */
  private readonly masks: TextSink;
  private readonly registered = new Set<string>();
  /** The log group open now (GitHub does not nest them). */
  private group: string | undefined;

  constructor(
    private readonly io: IO,
    json: boolean,
  ) {
    this.commands = json ? io.err : io.out;
    this.masks = json ? io.unmasked.err : io.unmasked.out;
    io.mask.onLearn((secrets) => this.addMasks(secrets));
  }

  private addMasks(secrets: readonly string[]): void {
    for (const secret of secrets) {
      if (!secret.trim() || this.registered.has(secret)) continue;
      this.registered.add(secret);
      this.masks.write(`::add-mask::${escapeData(secret)}\n`);
    }
  }

  /** The run's view with its steps grouped and its failures and warnings annotated. */
  view(inner: RunView): RunView {
    return {
      begin: (state) => inner.begin(state),
      event: (e) => {
        this.groupFor(e);
        inner.event(e);
        this.annotateEvent(e);
      },
      outcome: (outcome, summary) => {
        // The closing table and words stand outside every group, where a reader looks first.
        this.endGroup();
        inner.outcome(outcome, summary);
      },
      close: () => inner.close(),
    };
  }

  /**
   * A run stopped (done, paused, failed, interrupted): the stop's annotation, the timeline in the
   * job summary, and the step outputs. `events` is the run's whole journal, earlier jobs' included.
   */
  stopped(events: DurableEvent[], outcome: RunOutcome, summary: RunSummary, commands: CommandTemplates): void {
    this.endGroup();
    const state = reduceRun(events);
    const cont = continueCommand(events, outcome, commands);
    const gate = outcome.status === 'paused' ? state.waitingAt?.gate : undefined;
    const words = [outcome.message, ...(outcome.hint ? [outcome.hint] : [])].join('\n');
    if (outcome.status === 'paused') {
      // The hint names the command already; said first otherwise, so the annotation shows it.
      this.annotate('notice', cont && !words.includes(cont) ? `Continue with: ${cont}\n${words}` : words, pauseTitle(events.at(-1), gate));
    } else if (outcome.exit !== 'ok') {
      this.annotate('error', words, `release ${summary.playbook}: ${outcome.status} (exit ${exitCodeNumber(outcome)})`);
    }

    // Paused and interrupted runs have no closing words in the journal: say where they stand.
    const standing = state.finished ? '' : `\n> ${[outcome.message, ...(outcome.hint ?? '').split('\n').filter(Boolean)].join('\n> ')}\n\n`;
    this.appendFile('GITHUB_STEP_SUMMARY', `${markdownReport(state, { ...summary, status: state.status })}${standing}`);
    this.appendFile(
      'GITHUB_OUTPUT',
      [
        outputEntry('run-id', state.runId),
        outputEntry('status', outcome.status),
        outputEntry('exit-code', String(exitCodeNumber(outcome))),
        outputEntry('continue', cont ?? ''),
        outputEntry('gate', gate ?? ''),
      ].join(''),
    );
  }

  /** An error that escaped a command (exit.ts): its annotation and the exit code as an output. */
  escaped(code: number, message: string, hint?: string): void {
    this.endGroup();
    this.annotate('error', [message, ...(hint ? [hint] : [])].join('\n'), `release failed (exit ${code})`);
    this.appendFile('GITHUB_OUTPUT', `${outputEntry('status', 'error')}${outputEntry('exit-code', String(code))}`);
  }

  private groupFor(e: EngineEvent): void {
    // A retry or a continued step stays in its group; a rollback is a group of its own.
    if (e.type === 'step.started' || e.type === 'plan.step') this.openGroup(e.step, `${e.step}: ${e.plan.summary}`);
    if (e.type === 'rollback.started') this.openGroup('#rollback', rollbackTitle(e.steps));
  }

  private openGroup(key: string, title: string): void {
    if (this.group === key) return;
    this.endGroup();
    this.group = key;
    this.commands.write(workflowCommand('group', this.io.mask.text(title)));
  }

  private endGroup(): void {
    if (this.group === undefined) return;
    this.group = undefined;
    this.commands.write('::endgroup::\n');
  }

  private annotateEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'step.started':
        // Store and config warnings ride on the plan's notes (`warning: ...`), shown once.
        if (e.attempt === 1) for (const note of e.plan.notes ?? []) if (note.startsWith('warning:')) this.annotate('warning', note.slice('warning:'.length).trim(), e.step);
        return;
      case 'step.attempt-failed':
        return this.annotate('warning', `${e.error.message} (retrying)`, `${e.step}: attempt ${e.attempt} failed`);
      case 'step.failed':
        this.annotate('error', [e.error.message, ...(e.error.hint ? [e.error.hint] : [])].join('\n'), `${e.step} failed`);
        // The failure line carries the decision to roll back: the undos follow in a group of their own.
        if (e.decision.then === 'rollback') this.openGroup('#rollback', rollbackTitle(e.decision.steps));
        return;
      case 'step.unsettled':
        return this.annotate('error', `cannot tell whether it took effect: ${e.check}`, `${e.step} is in doubt`);
      case 'undo.failed':
        if (e.final) this.annotate('error', e.error.message, `undo of ${e.step} failed`);
        return;
    }
  }

  private annotate(kind: Annotation, message: string, title: string): void {
    const mask = this.io.mask.text;
    this.commands.write(workflowCommand(kind, mask(message), { title: mask(title) }));
  }

  /** GitHub's environment files: appended to, never rewritten (other steps write them too). */
  private appendFile(variable: 'GITHUB_STEP_SUMMARY' | 'GITHUB_OUTPUT', text: string): void {
    const file = this.io.env[variable];
    if (!file) return;
    try {
      appendFileSync(file, this.io.mask.text(text));
    } catch (err) {
      this.io.err.write(`warning: could not write $${variable} (${file}): ${(err as Error).message}\n`);
    }
  }
}

function pauseTitle(last: DurableEvent | undefined, gate: string | undefined): string {
  if (gate) return `release paused at gate ${gate}`;
  if (last?.type !== 'run.paused') return 'release paused';
  if (last.reason === 'until') return `release stopped after ${last.step} (--until)`;
  if (last.reason === 'confirm') return `release waits for --yes before ${last.step}`;
  return `release paused before ${last.step}`;
}

function rollbackTitle(steps: string[]): string {
  return `rollback: ${steps.join(', ') || 'nothing to undo'}`;
}

/** The command that carries the run on from here, if any: the gate's, or a resume. */
function continueCommand(events: DurableEvent[], outcome: RunOutcome, commands: CommandTemplates): string | undefined {
  const last = events.at(-1);
  if (last?.type === 'run.paused') return last.continueWith;
  const runId = events[0]?.runId;
  if (!runId || isTerminal(outcome.status)) return undefined;
  if (outcome.status === 'damaged') return commands.repair(runId);
  return commands.resume(runId);
}

function exitCodeNumber(outcome: RunOutcome): number {
  return EXIT_CODES[outcome.exit];
}
