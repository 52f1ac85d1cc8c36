/**
 * The terminal side of a run session: Ctrl-C, SIGTERM and SIGHUP (a closed terminal), the live
 * view and the closing summary. The session owns the lock and the journal (engine/session.ts).
 */
import type { ActionEnv } from '../actions/env.js';
import { actionFor } from '../actions/registry.js';
import type { EngineEvent } from '../engine/events.js';
import type { EngineOptions, RunOutcome } from '../engine/executor.js';
import type { RunSession } from '../engine/session.js';
import { summarize } from '../engine/timeline.js';
import { errorMessage } from '../errors.js';
import type { PortsSource } from './adapters.js';
import { commandsFor, promptAllowed } from './context.js';
import { exitCodeOf } from './exit.js';
import type { IO } from './io.js';
import type { GlobalOptions } from './program.js';
import { terminalPrompter } from './prompter.js';
import type { RunView } from './views/run-view.js';

export interface DriveRequest {
  /** Also told every event (Slack messages at gates, failures, the end). */
  notifier?: { event(e: EngineEvent): void; flush(): Promise<void> };
  io: IO;
  globals: GlobalOptions;
  session: RunSession;
  /** Built only inside the session, so a failure there still parks or releases the lock. */
  source: () => PortsSource;
  view: RunView;
  options: EngineOptions;
  /** `rollback`: undo now instead of going forward. */
  rollbackReason?: string;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export async function drive(req: DriveRequest): Promise<number> {
  const { io, session, view } = req;
  let signals = 0;
  const onSignal = () => {
    signals += 1;
    if (signals > 1) {
      io.err.write('\nStopped at once. `release resume` checks what the last step did.\n');
      io.exitNow(130);
    }
    if (!session.interrupt()) {
      io.err.write('\nRolling back: stopping halfway would leave things worse. Press Ctrl-C again to abandon (resume finishes the rollback).\n');
    } else {
      io.err.write('\nInterrupting the current step (Ctrl-C again exits at once)…\n');
    }
  };
  for (const s of SIGNALS) process.on(s, onSignal);

  // What the views draw is a copy of the journal: a view that fails (a bug) is said once on
  // stderr and never becomes a step's failure or replaces the run's outcome.
  let displayFailed = false;
  const showing = (e: EngineEvent): void => {
    try {
      view.event(e);
      req.notifier?.event(e);
    } catch (err) {
      if (!displayFailed) io.err.write(`\nThe display failed (${errorMessage(err)}); the run goes on and its journal has every event: \`release log ${e.runId ?? 'latest'}\`.\n`);
      displayFailed = true;
    }
  };

  let outcome: RunOutcome;
  try {
    outcome = await session.drive<ActionEnv>(
      () => {
        const source = req.source();
        return {
          action: actionFor,
          envFor: source.envFor,
          emit: showing,
          prompter: promptAllowed(io, req.globals) ? terminalPrompter(io, () => session.interrupt()) : undefined,
          options: { ...req.options, scaleDelay: source.scaleDelay, unattended: source.simulated },
        };
      },
      req.rollbackReason !== undefined ? { rollback: req.rollbackReason } : {},
    );
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal);
    view.close();
  }

  const events = await session.events();
  const summary = summarize(events, (uses) => actionFor(uses).meta.effect, await session.state());
  view.outcome(outcome, summary);
  io.github?.stopped(events, outcome, summary, commandsFor(req.globals));
  await req.notifier?.flush();
  return exitCodeOf(outcome.exit);
}
