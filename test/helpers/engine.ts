/**
 * A real run (journal on disk) driven by one-line fixture actions over an in-memory world, to
 * test the executor's guarantees without any provider.
 */
import { hostname } from 'node:os';
import { ActionError, type Action, type ActionMeta } from '../../src/engine/action.js';
import type { DurableEvent, EngineEvent, ResolvedStep } from '../../src/engine/events.js';
import { Executor, type EngineOptions, type Prompter } from '../../src/engine/executor.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalBackend, type LocalJournal } from '../../src/engine/backends/local.js';
import type { Journal } from '../../src/engine/journal.js';
import { newRunId, RunStore, type RunHandle } from '../../src/engine/runs.js';
import type { StateBackend } from '../../src/engine/state-backend.js';
import { reduceRun } from '../../src/engine/state.js';
import type { JsonObject } from '../../src/util/json-path.js';
import { testdir } from './testdir.js';

export interface FixtureWorld {
  applied: Set<string>;
  log: string[];
}

type Fixture = Action<JsonObject, FixtureWorld>;

const meta = (extra: Partial<ActionMeta> = {}): ActionMeta => ({ description: 'fixture', mutates: true, compensable: true, pivot: false, ...extra });

/** A step whose effect is adding its name to the world; undo removes it. */
export function effect(name: string, opts: { fail?: number | 'always'; failUndo?: number | 'always'; meta?: Partial<ActionMeta>; verify?: 'unknown'; partial?: boolean } = {}): Fixture {
  let runs = 0;
  let undos = 0;
  return {
    meta: meta(opts.meta),
    async plan() {
      return { summary: `apply ${name}`, changes: [{ target: 'backend', before: null, after: name }] };
    },
    async run(_i, _p, ctx) {
      runs++;
      ctx.env.log.push(`run:${name}`);
      if (opts.fail === 'always' || (typeof opts.fail === 'number' && runs <= opts.fail)) {
        if (opts.partial) ctx.env.applied.add(name);
        throw new ActionError(`${name} broke`, { partial: opts.partial });
      }
      ctx.env.applied.add(name);
    },
    async verify(_i, _p, ctx) {
      if (opts.verify === 'unknown') return { status: 'unknown', check: `look at ${name} by hand` };
      return ctx.env.applied.has(name) ? { status: 'done' } : { status: 'not-done' };
    },
    async undo(_i, _p, ctx) {
      undos++;
      ctx.env.log.push(`undo:${name}`);
      if (opts.failUndo === 'always' || (typeof opts.failUndo === 'number' && undos <= opts.failUndo)) throw new Error(`undo of ${name} broke`);
      ctx.env.applied.delete(name);
    },
  };
}

export function readOnly(name: string): Fixture {
  return {
    meta: meta({ mutates: false, compensable: false }),
    async plan() {
      return { summary: `check ${name}`, changes: [] };
    },
    async run(_i, _p, ctx) {
      ctx.env.log.push(`run:${name}`);
    },
  };
}

export function gateStep(gate: string): Fixture {
  return {
    meta: meta({ mutates: false, compensable: false }),
    async plan() {
      return { summary: `gate ${gate}`, changes: [] };
    },
    async run(_i, _p, ctx) {
      const decision = await ctx.gate({ gate, title: `decide ${gate}`, instructions: [] });
      if (!decision.approved) throw new ActionError(`rejected by ${decision.by}`, { retryable: false });
      ctx.env.log.push(`gate:${gate}:${decision.by}`);
    },
  };
}

type Steps = (Partial<ResolvedStep> & { id: string; action: Fixture })[];

interface HarnessBase {
  run: RunHandle;
  world: FixtureWorld;
  events: EngineEvent[];
  executor(options?: Partial<EngineOptions>, prompter?: Prompter): Executor<FixtureWorld>;
}

export interface Harness extends HarnessBase {
  /** The run's journal file, read synchronously for assertions. */
  file: Journal;
  state(): ReturnType<typeof reduceRun>;
}

/** A run in any state backend: what the engine sees is the port, whatever stores it. */
export interface BackendHarness extends HarnessBase {
  journaled(): Promise<DurableEvent[]>;
  state(): Promise<ReturnType<typeof reduceRun>>;
}

/** A run on local files, with the journal file at hand for fault tests. */
export function harness(steps: Steps): Harness {
  const stateDir = testdir();
  const id = newRunId();
  mkdirSync(join(stateDir, 'runs', id), { recursive: true });
  const journal = new LocalBackend(stateDir).journal(id) as LocalJournal;
  const run: RunHandle = { id, dir: join(stateDir, 'runs', id), journal };
  journal.file.append(createdEvent(id, steps));
  return { ...base(run, steps), file: journal.file, state: () => reduceRun(journal.file.read().events) };
}

/** A run in the given backend (the engine suite runs against each). */
export async function harnessOn(backend: StateBackend, steps: Steps): Promise<BackendHarness> {
  const run = await new RunStore(backend).create();
  await run.journal.append(createdEvent(run.id, steps));
  return {
    ...base(run, steps),
    journaled: async () => (await run.journal.read()).events,
    state: async () => reduceRun((await run.journal.read()).events),
  };
}

function createdEvent(runId: string, steps: Steps): DurableEvent {
  return {
    runId,
    ts: new Date().toISOString(),
    type: 'run.created',
    playbook: {
      name: 'fixture',
      file: 'fixture.yaml',
      steps: steps.map(({ action: _action, ...s }) => ({ uses: s.id, with: {}, retry: { attempts: 1, delayMs: 1 }, onFailure: 'rollback', ...s })),
    },
    release: {},
    context: {},
    dryRun: false,
    by: { who: 'test', host: hostname(), pid: process.pid },
  };
}

function base(run: RunHandle, steps: Steps): HarnessBase {
  const world: FixtureWorld = { applied: new Set(), log: [] };
  const events: EngineEvent[] = [];
  const actions = new Map(steps.map((s) => [s.id, s.action]));
  return {
    run,
    world,
    events,
    executor: (options = {}, prompter) =>
      new Executor<FixtureWorld>({
        run,
        action: (uses) => actions.get(uses)!,
        envFor: () => world,
        emit: (e) => events.push(e),
        prompter,
        identity: { who: 'test', host: hostname(), pid: process.pid },
        options: { yes: false, scaleDelay: () => 1, ...options },
        commands: { resume: (id) => `release resume ${id}`, signoff: (id, g) => `release signoff ${id} --gate ${g} --approve`, rollback: (id) => `release rollback ${id}`, repair: (id) => `release repair ${id}` },
      }),
  };
}
