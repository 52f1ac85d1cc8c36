/**
 * Durations and the transition window, derived from the journal alone: how long old apps were
 * walled (wall up -> wall down or its undo) and how long from the config change to the publish.
 */
import type { ActionMeta } from './action.js';
import type { DurableEvent } from './events.js';
import type { JsonObject } from '../util/json-path.js';
import { reduceRun, type RunState } from './state.js';

export interface StepTiming {
  id: string;
  status: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  effect?: ActionMeta['effect'];
  /** What the step reported when it succeeded (a config version, a propagation wait). */
  output?: JsonObject;
}

export interface TransitionWindow {
  wallUpAt?: string;
  wallDownAt?: string;
  /** How long old apps met the wall; open-ended walls count until the last event. */
  walledMs?: number;
  stillWalled: boolean;
  deployAt?: string;
  publishAt?: string;
  configToPublishMs?: number;
}

export interface RunSummary {
  runId: string;
  playbook: string;
  status: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  steps: StepTiming[];
  window: TransitionWindow;
  /** Which adapter served each port (real provider or simulated), as journaled at the start. */
  ports?: JsonObject;
}

/** `state`: the run as these events leave it, when the caller already holds it (a session's view). */
export function summarize(events: DurableEvent[], effectOf: (uses: string) => ActionMeta['effect'], state: RunState = reduceRun(events)): RunSummary {
  const marks = marksOf(events);
  const steps: StepTiming[] = state.steps.map((s) => {
    const effect = effectOf(s.uses);
    const { startedAt, endedAt } = marks.get(s.id) ?? {};
    const durationMs = startedAt && endedAt ? Date.parse(endedAt) - Date.parse(startedAt) : undefined;
    return { id: s.id, status: s.status, startedAt, endedAt, durationMs, effect, ...(s.output ? { output: s.output } : {}) };
  });

  // The journal's first such event among the steps with that effect.
  const firstOf = (effect: ActionMeta['effect'], at: 'succeeded' | 'undone') => {
    const found = steps.filter((s) => s.effect === effect).map((s) => marks.get(s.id)?.[at] ?? Infinity);
    const index = Math.min(...found);
    return index === Infinity ? undefined : events[index]!.ts;
  };
  const succeededAt = (effect: ActionMeta['effect']) => firstOf(effect, 'succeeded');
  const wallUpAt = succeededAt('wall-up');
  const wallDownAt = succeededAt('wall-down') ?? firstOf('wall-up', 'undone');
  const publishAt = succeededAt('publish');
  const endedAt = events.at(-1)!.ts;
  const window: TransitionWindow = {
    wallUpAt,
    wallDownAt,
    stillWalled: Boolean(wallUpAt && !wallDownAt),
    deployAt: succeededAt('deploy'),
    publishAt,
    walledMs: wallUpAt ? Date.parse(wallDownAt ?? endedAt) - Date.parse(wallUpAt) : undefined,
    configToPublishMs: wallUpAt && publishAt ? Date.parse(publishAt) - Date.parse(wallUpAt) : undefined,
  };
  return {
    runId: state.runId,
    playbook: state.playbook.name,
    status: state.status,
    startedAt: state.createdAt,
    endedAt,
    durationMs: Date.parse(endedAt) - Date.parse(state.createdAt),
    steps,
    window,
    ...(state.release.ports && typeof state.release.ports === 'object' && !Array.isArray(state.release.ports) ? { ports: state.release.ports } : {}),
  };
}

interface StepMarks {
  /** Its first start (or plan), and its last event after that (a gate's opening aside). */
  startedAt?: string;
  endedAt?: string;
  /** Where in the journal its first `step.succeeded` and `undo.succeeded` are. */
  succeeded?: number;
  undone?: number;
}

/** Every step's marks in one pass: a journal of 100k polls is read once, not once per step. */
function marksOf(events: DurableEvent[]): Map<string, StepMarks> {
  const marks = new Map<string, StepMarks>();
  events.forEach((e, index) => {
    if (!('step' in e)) return;
    let mark = marks.get(e.step);
    if (!mark) marks.set(e.step, (mark = {}));
    if (e.type === 'step.started' || e.type === 'plan.step') mark.startedAt ??= e.ts;
    if (e.type !== 'step.started' && e.type !== 'gate.opened') mark.endedAt = e.ts;
    if (e.type === 'step.succeeded') mark.succeeded ??= index;
    if (e.type === 'undo.succeeded') mark.undone ??= index;
  });
  return marks;
}
