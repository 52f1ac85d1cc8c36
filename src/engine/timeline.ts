/**
 * Durations and the transition window, derived from the journal alone: how long old apps were
 * walled (wall up -> wall down or its undo) and how long from the config change to the publish.
 */
import type { ActionMeta } from './action.js';
import type { DurableEvent } from './events.js';
import type { JsonObject } from '../util/json-path.js';
import { reduceRun } from './state.js';

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

export function summarize(events: DurableEvent[], effectOf: (uses: string) => ActionMeta['effect']): RunSummary {
  const state = reduceRun(events);
  const steps: StepTiming[] = state.steps.map((s) => {
    const effect = effectOf(s.uses);
    const startedAt = firstTs(events, (e) => (e.type === 'step.started' || e.type === 'plan.step') && e.step === s.id);
    const endedAt = lastTs(events, (e) => 'step' in e && e.step === s.id && e.type !== 'step.started' && e.type !== 'gate.opened');
    const durationMs = startedAt && endedAt ? Date.parse(endedAt) - Date.parse(startedAt) : undefined;
    return { id: s.id, status: s.status, startedAt, endedAt, durationMs, effect, ...(s.output ? { output: s.output } : {}) };
  });

  const succeededAt = (effect: ActionMeta['effect']) => {
    const ids = new Set(steps.filter((s) => s.effect === effect).map((s) => s.id));
    return firstTs(events, (e) => e.type === 'step.succeeded' && ids.has(e.step));
  };
  const wallUpIds = new Set(steps.filter((s) => s.effect === 'wall-up').map((s) => s.id));
  const wallUpAt = succeededAt('wall-up');
  const wallDownAt =
    succeededAt('wall-down') ?? firstTs(events, (e) => e.type === 'undo.succeeded' && wallUpIds.has(e.step));
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

function firstTs(events: DurableEvent[], match: (e: DurableEvent) => boolean): string | undefined {
  return events.find(match)?.ts;
}

function lastTs(events: DurableEvent[], match: (e: DurableEvent) => boolean): string | undefined {
  return events.findLast(match)?.ts;
}
