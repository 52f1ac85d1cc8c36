/**
 * Drives an executor in this process: Ctrl-C and SIGTERM handling, the lock's life, and the
 * closing summary. Shared by flip, resume and rollback.
 */
import type { ActionEnv } from '../actions/env.js';
import { actionFor } from '../actions/registry.js';
import type { EngineEvent } from '../engine/events.js';
import { Executor, type EngineOptions, type RunOutcome } from '../engine/executor.js';
import type { LockInfo, LockStore } from '../engine/lock.js';
import type { RunHandle } from '../engine/runs.js';
import { isTerminal } from '../engine/state.js';
import { summarize } from '../engine/timeline.js';
import type { PortsSource } from './adapters.js';
import { commandsFor, engineAction, identity, promptAllowed } from './context.js';
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
  run: RunHandle;
  locks: LockStore;
  lock: LockInfo;
  source: PortsSource;
  view: RunView;
  options: EngineOptions;
  /** `rollback`: undo now instead of going forward. */
  rollbackReason?: string;
}

export async function drive(req: DriveRequest): Promise<number> {
  const { io, run, view } = req;
  const executor: Executor<ActionEnv> = new Executor<ActionEnv>({
    run,
    action: engineAction,
    envFor: req.source.envFor,
    emit: (e) => {
      view.event(e);
      req.notifier?.event(e);
    },
    prompter: promptAllowed(io, req.globals) ? terminalPrompter(io, () => executor.requestInterrupt()) : undefined,
    identity: identity(),
    options: req.options,
    commands: commandsFor(req.globals),
  });

  let signals = 0;
  const onSignal = () => {
    signals += 1;
    if (signals > 1) {
      io.err.write('\nStopped at once. `release resume` checks what the last step did.\n');
      io.exitNow(130);
    }
    if (!executor.requestInterrupt()) {
      io.err.write('\nRolling back: stopping halfway would leave things worse. Press Ctrl-C again to abandon (resume finishes the rollback).\n');
    } else {
      io.err.write('\nInterrupting the current step (Ctrl-C again exits at once)…\n');
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let outcome: RunOutcome;
  try {
    outcome = req.rollbackReason ? await executor.rollback(req.rollbackReason) : await executor.execute();
  } catch (err) {
    req.locks.park(req.lock);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    view.close();
  }

  if (isTerminal(outcome.status)) req.locks.release(req.lock);
  else req.locks.park(req.lock);
  const summary = summarize(run.journal.read(), (uses) => actionFor(uses).meta.effect);
  view.outcome(outcome, summary);
  await req.notifier?.flush();
  return exitCodeOf(outcome.exit);
}
