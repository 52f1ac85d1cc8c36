/** Reads what a sandbox run left behind: the world file and the journal. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DurableEvent } from '../../src/engine/events.js';
import { readJournal } from '../../src/engine/journal.js';
import type { SandboxWorld } from '../../src/providers/sandbox/world.js';

export function runIds(dir: string, stateDir = join(dir, '.release')): string[] {
  try {
    return readdirSync(join(stateDir, 'runs')).sort();
  } catch {
    return [];
  }
}

/** The run created last: ids sort by their second only, and runs in-process start many a second. */
export function newestRun(dir: string, stateDir = join(dir, '.release')): string {
  const born = (id: string) => statSync(join(stateDir, 'runs', id)).birthtimeMs;
  const ids = runIds(dir, stateDir).sort((a, b) => born(a) - born(b));
  if (!ids.length) throw new Error(`no run in ${stateDir}`);
  return ids.at(-1)!;
}

export function onlyRun(dir: string): string {
  const ids = runIds(dir);
  if (ids.length !== 1) throw new Error(`expected one run in ${dir}, found ${ids.length}`);
  return ids[0]!;
}

export function readWorld(dir: string, runId = onlyRun(dir), stateDir = join(dir, '.release')): SandboxWorld {
  return JSON.parse(readFileSync(join(stateDir, 'runs', runId, 'sandbox.json'), 'utf8')) as SandboxWorld;
}

export function readEvents(dir: string, runId = onlyRun(dir), stateDir = join(dir, '.release')): DurableEvent[] {
  return readJournal(journalPath(stateDir, runId), headPath(stateDir, runId)).events;
}

export function journalPath(stateDir: string, runId: string): string {
  return join(stateDir, 'runs', runId, 'journal.ndjson');
}

export function headPath(stateDir: string, runId: string): string {
  return join(stateDir, 'heads', `${runId}.json`);
}

export function countEffects(world: SandboxWorld, op: string, platform?: string): number {
  return world.effects.filter((e) => e.op === op && (platform === undefined || e.platform === platform)).length;
}
