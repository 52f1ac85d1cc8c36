/**
 * Issue 7's matrix: for every line of a Scenario B sandbox journal (a happy run, and runs failing
 * at deploy-backend, internal-signoff and publish-stores:android), each of: tear it as the last
 * line, corrupt one byte of it, delete it, duplicate it, delete everything after it. Then status,
 * resume and rollback (and, on a second copy, rollback first). Every case must converge to a
 * correct world, or refuse with exit 7 naming the line and change nothing; none may report
 * completed or rolled back with another world, or deploy or publish twice.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Journal, readJournal } from '../../src/engine/journal.js';
import type { SandboxWorld } from '../../src/providers/sandbox/world.js';
import { releaseInProcess } from '../helpers/in-process.js';
import { testdir } from '../helpers/testdir.js';
import { countEffects, headPath, journalPath, onlyRun } from '../helpers/world.js';

/**
 * `crash-tear` is a tear as a crash or a full disk leaves it: the head was never moved past the
 * line before, and the world is as it was when that line was being written.
 */
type Mutation = 'tear' | 'crash-tear' | 'corrupt' | 'delete' | 'duplicate' | 'cut-after';
const MUTATIONS: Mutation[] = ['tear', 'crash-tear', 'corrupt', 'delete', 'duplicate', 'cut-after'];

const SCENARIOS: Record<string, string[]> = {
  happy: [],
  'fail deploy-backend': ['--sandbox-fail', 'deploy-backend'],
  'fail internal-signoff': ['--sandbox-fail', 'internal-signoff'],
  'fail publish-stores:android': ['--sandbox-fail', 'publish-stores:android'],
};

function mutate(lines: string[], k: number, how: Mutation): string {
  const line = lines[k]!;
  const before = lines.slice(0, k);
  switch (how) {
    case 'tear':
    case 'crash-tear':
      return [...before, line.slice(0, Math.floor(line.length / 2))].join('\n');
    case 'corrupt': {
      const at = Math.floor(line.length / 2);
      const swapped = line[at] === 'x' ? 'y' : 'x';
      return [...before, line.slice(0, at) + swapped + line.slice(at + 1), ...lines.slice(k + 1)].join('\n') + '\n';
    }
    case 'delete':
      return [...before, ...lines.slice(k + 1)].join('\n') + (lines.length > 1 ? '\n' : '');
    case 'duplicate':
      return [...before, line, line, ...lines.slice(k + 1)].join('\n') + '\n';
    case 'cut-after':
      return [...before, line].join('\n') + '\n';
  }
}

/** The head as it was before line k+1 was appended. */
function rewindHead(path: string, lines: string[], k: number): void {
  if (k === 0) return rmSync(path);
  const sum = /"sum":"([0-9a-f]{32})"\}$/.exec(lines[k - 1]!)![1];
  writeFileSync(path, JSON.stringify({ seq: k, sum }));
}

function readIfThere(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function world(dir: string, runId: string): SandboxWorld {
  return JSON.parse(readFileSync(join(dir, '.release', 'runs', runId, 'sandbox.json'), 'utf8')) as SandboxWorld;
}

const happy = (w: SandboxWorld) =>
  w.config.maintenance_mode === false &&
  w.backend.version === '2.0.0' &&
  (['ios', 'android'] as const).every((p) => {
    const keys = w.config[p] as { minimum_version?: string; latest_version?: string };
    return w.stores[p]?.state === 'live' && keys.minimum_version === '2.0.0' && keys.latest_version === '2.0.0';
  });
const initial = (w: SandboxWorld) =>
  JSON.stringify(w.config) === JSON.stringify(w.initialConfig) && w.backend.version === w.initialBackendVersion && Object.values(w.stores).every((s) => s?.state !== 'live');
const walled = (w: SandboxWorld) =>
  w.config.maintenance_mode === true || (['ios', 'android'] as const).every((p) => (w.config[p] as { minimum_version?: string })?.minimum_version === '2.0.0');
/** exit 7 after the pivot with nothing undone: something is live, the backend stays new, old apps are walled. */
const forwardOnly = (w: SandboxWorld) => Object.values(w.stores).some((s) => s?.state === 'live') && w.backend.version === '2.0.0' && walled(w);

interface Tally {
  cases: number;
  converged: number;
  refused: number;
  wrong: string[];
}

/** What one command's result says about the world, or why it is wrong. */
function judge(label: string, result: { code: number; stderr: string }, w: SandboxWorld, before: string, after: string, damagedLine: number | undefined): 'refused' | 'converged' | string {
  if (countEffects(w, 'backend.deploy') > 1) return `${label}: deployed twice`;
  for (const p of ['ios', 'android']) if (countEffects(w, 'store.publish', p) > 1) return `${label}: published ${p} twice`;
  if (damagedLine !== undefined) {
    if (result.code !== 7) return `${label}: damaged at line ${damagedLine} but exit ${result.code}: ${result.stderr.slice(-300)}`;
    if (!result.stderr.includes(`line ${damagedLine}`)) return `${label}: refused without naming line ${damagedLine}: ${result.stderr.slice(-300)}`;
    if (before !== after) return `${label}: refused but the world changed`;
    return 'refused';
  }
  switch (result.code) {
    case 0:
      return happy(w) ? 'converged' : `${label}: exit 0 with a world that is not the happy one`;
    case 3:
      return initial(w) ? 'converged' : `${label}: exit 3 (rolled back) but the world is not the initial one`;
    case 7:
      // Stopped for a human: after the pivot with nothing undone, or before changing anything.
      return forwardOnly(w) || before === after ? 'refused' : `${label}: exit 7 with the world changed and not safely forward`;
    case 2:
      return before === after ? 'converged' : `${label}: exit 2 but the world changed`;
    default:
      return `${label}: exit ${result.code}: ${result.stderr.slice(-300)}`;
  }
}

describe('a damaged journal, line by line', () => {
  const bases: Record<string, { dir: string; runId: string; lines: string[]; worldBefore: string[] }> = {};
  const totals: Tally = { cases: 0, converged: 0, refused: 0, wrong: [] };

  // The base runs outlive a single test: their directories go when the file is done.
  const later: (() => void)[] = [];
  afterAll(() => later.forEach((fn) => fn()));

  beforeAll(async () => {
    // The base runs are real; the spy only photographs the world before each append.
    const original = Journal.prototype.append;
    for (const [name, flags] of Object.entries(SCENARIOS)) {
      const dir = testdir({}, (fn) => later.push(fn));
      const worldBefore: string[] = [];
      const spy = vi.spyOn(Journal.prototype, 'append').mockImplementation(function (this: Journal, event) {
        worldBefore.push(readIfThere(join(this.path, '..', 'sandbox.json')));
        return original.call(this, event);
      });
      await releaseInProcess(['flip', '--sandbox', ...flags], { cwd: dir });
      spy.mockRestore();
      const runId = onlyRun(dir);
      bases[name] = { dir, runId, worldBefore, lines: readFileSync(journalPath(join(dir, '.release'), runId), 'utf8').split('\n').filter(Boolean) };
    }
  });

  for (const name of Object.keys(SCENARIOS)) {
    it(`${name}: every line x every mutation converges or is refused by line`, async () => {
      const { dir: baseDir, runId, lines, worldBefore } = bases[name]!;
      expect(worldBefore).toHaveLength(lines.length);
      const tally: Tally = { cases: 0, converged: 0, refused: 0, wrong: [] };
      for (let k = 0; k < lines.length; k++) {
        for (const how of MUTATIONS) {
          tally.cases += 1;
          const damagedCopy = () => {
            const copy = testdir();
            cpSync(join(baseDir, '.release'), join(copy, '.release'), { recursive: true });
            writeFileSync(journalPath(join(copy, '.release'), runId), mutate(lines, k, how));
            if (how === 'crash-tear') {
              rewindHead(headPath(join(copy, '.release'), runId), lines, k);
              if (worldBefore[k]) writeFileSync(join(copy, '.release', 'runs', runId, 'sandbox.json'), worldBefore[k]!);
            }
            return copy;
          };
          const copies = [damagedCopy()];
          const label = `${name} line ${k + 1} ${how}`;
          const damage = readJournal(journalPath(join(copies[0]!, '.release'), runId), headPath(join(copies[0]!, '.release'), runId)).damage;
          const sandboxFile = (d: string) => readFileSync(join(d, '.release', 'runs', runId, 'sandbox.json'), 'utf8');

          const status = await releaseInProcess(['status', runId], { cwd: copies[0]! });
          // Status shows what is readable (exit 0, naming the bad line); with nothing readable it says so (exit 7).
          const named = (text: string) => damage !== undefined && text.includes(`line ${damage.line}`);
          const neverStarted = how === 'crash-tear' && k === 0;
          if (neverStarted) {
            // The crash came before run.created was whole: the run never started, and says so.
            expect(status.code).toBe(2);
            expect(status.stderr).toContain('never started');
            tally.converged += 1;
            continue;
          }
          const statusOk = (status.code === 0 && (!damage || named(status.stdout))) || (status.code === 7 && damage?.line === 1 && named(status.stderr));
          let verdict: string = statusOk ? 'ok' : `${label}: status exit ${status.code}: ${status.stderr}`;
          // A damaged journal refuses the same way in either order: the second order is only
          // worth running where the journal is readable and the order can change the outcome.
          const sequences = damage ? [['resume', 'rollback']] : [['resume', 'rollback'], ['rollback', 'resume']];
          // The second order gets a copy of its own, made only where it runs (copying costs CPU, x700 cases).
          if (sequences.length > 1) copies.push(damagedCopy());
          for (const [i, copy] of copies.slice(0, sequences.length).entries()) {
            for (const command of sequences[i]!) {
              if (verdict !== 'ok' && verdict !== 'refused' && verdict !== 'converged') break;
              const worldBefore = sandboxFile(copy);
              const result = await releaseInProcess([command, runId], { cwd: copy });
              const now = readJournal(journalPath(join(copy, '.release'), runId), headPath(join(copy, '.release'), runId));
              verdict = judge(`${label} ${command}`, result, world(copy, runId), worldBefore, sandboxFile(copy), damage && now.damage ? damage.line : undefined);
            }
          }
          if (verdict === 'refused') tally.refused += 1;
          else if (verdict === 'converged') tally.converged += 1;
          else tally.wrong.push(verdict);
        }
      }
      totals.cases += tally.cases;
      totals.converged += tally.converged;
      totals.refused += tally.refused;
      totals.wrong.push(...tally.wrong);
      console.log(`journal matrix, ${name}: ${tally.cases} cases, ${tally.converged} converged, ${tally.refused} refused, ${tally.wrong.length} wrong`);
      expect(tally.wrong.join("\n")).toBe("");
      expect(tally.cases).toBe(lines.length * MUTATIONS.length);
    });
  }
});
