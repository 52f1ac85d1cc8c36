#!/usr/bin/env node
// `npm run bench`: the figures the closing notes quote. Not a test: nothing here fails.
// Everything is measured side by side in this one run, A and B alternating, so a machine that
// gets busier or quieter meanwhile moves both alike:
//   - start-up: each command against a bare `node -e 0` (ratio per pair: median and range), and,
//     when NODE_EXTRA_CA_CERTS is set, the bare start without it (Node 20 parses that file at every
//     start: part of each baseline)
//   - a zero-latency sandbox flip: wall time, its own run (first event to last), per step
//   - the transition window at 50 ms and 200 ms simulated latency: its overhead is the window
//     minus the time some simulated call was in flight (calls that overlap count once)
//   - resume of a run whose journal holds 20, 10k and 100k events
// `npm run bench -- --json` prints the same table as JSON. BENCH_RUNS sets the start-up pairs.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/release.cjs', import.meta.url));
const TRACE = pathToFileURL(fileURLToPath(new URL('./trace-timers.mjs', import.meta.url))).href;
const dist = (path) => import(new URL(`../../dist/${path}`, import.meta.url));
const { readJournal } = await dist('engine/journal.js');
const { sealLine, GENESIS } = await dist('engine/journal-line.js');

const asJson = process.argv.includes('--json');
const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const root = mkdtempSync(join(tmpdir(), 'release-bench-'));
const env = (extra = {}) => {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RELEASE_') && k !== 'CI' && k !== 'NODE_OPTIONS'));
  return { ...clean, NO_COLOR: '1', ...extra };
};

// ---- measuring --------------------------------------------------------------------------

/** One process, wall clock from spawn to exit; exit codes do not matter for timing. */
function timed(args, opts = {}) {
  const start = performance.now();
  const result = spawnSync('node', args, { encoding: 'utf8', env: env(), ...opts });
  return { ms: performance.now() - start, code: result.status, stdout: result.stdout ?? '', startedAt: performance.timeOrigin + start };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const stats = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length });
const events = (stdout) => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
const at = (event) => Date.parse(event.ts);

// ---- the world the commands read --------------------------------------------------------

/** A project dir with a release config and one finished sandbox flip in its state dir. */
function project() {
  const dir = join(root, 'project');
  mkdirSync(dir);
  execFileSync('node', [BIN, 'init'], { cwd: dir, env: env(), stdio: 'ignore' });
  execFileSync('node', [BIN, 'flip', '--sandbox'], { cwd: dir, env: env(), stdio: 'ignore' });
  return dir;
}

/**
 * A run stopped after wait-for-approval (`flip --until`), its journal padded to `total` events
 * with the records a long review wait leaves (one per poll), sealed as the engine seals them and
 * checked by the engine's own reader. The one place that knows the journal's layout on disk.
 */
function pausedRunWithJournal(template, total) {
  const stateDir = join(root, `resume-${total}`);
  cpSync(template, stateDir, { recursive: true });
  const runId = readdirSync(join(stateDir, 'runs'))[0];
  const path = join(stateDir, 'runs', runId, 'journal.ndjson');
  const headPath = join(stateDir, 'heads', `${runId}.json`);
  const original = readJournal(path, headPath).events;
  const waitStarted = original.findIndex((e) => e.type === 'step.started' && e.step === 'wait-for-approval');
  const fill = Math.max(0, total - original.length);
  const records = Array.from({ length: fill }, (_, i) => ({
    type: 'step.recorded',
    step: 'wait-for-approval',
    record: { poll: i + 1, ios: 'WAITING_FOR_REVIEW', android: 'RELEASE_LIFECYCLE_STATE_IN_REVIEW' },
    runId,
    ts: original[waitStarted].ts,
  }));
  const all = [...original.slice(0, waitStarted + 1), ...records, ...original.slice(waitStarted + 1)];
  let prev = GENESIS;
  const lines = all.map((event, i) => {
    const sealed = sealLine(event, i + 1, prev);
    prev = sealed.sum;
    return sealed.text;
  });
  writeFileSync(path, `${lines.join('\n')}\n`);
  writeFileSync(headPath, JSON.stringify({ seq: all.length, sum: prev }));
  const check = readJournal(path, headPath);
  if (check.damage || check.events.length !== all.length) throw new Error(`the generated journal does not read back: ${JSON.stringify(check.damage ?? check.events.length)}`);
  return { stateDir, events: all.length };
}

// ---- 1. start-up, each command against node -e 0 -----------------------------------------

const dir = project();
const stateDir = join(dir, '.release');
const flipDir = join(root, 'flips');
mkdirSync(flipDir);
let flipNo = 0;
const COMMANDS = [
  ['--help', ['--help']],
  ['--version', ['--version']],
  ['status', ['status']],
  ['runs', ['runs']],
  ['log', ['log', 'latest']],
  ['report', ['report', 'latest']],
  ['validate', ['validate']],
  // A lock id that names no lock: the command loads, looks, and says so.
  ['force-unlock', ['force-unlock', 'no-such-lock', '--yes']],
  ['flip --sandbox', () => ['flip', '--sandbox', '--json', '--state-dir', join(flipDir, String(flipNo++))]],
];
const pairs = Object.fromEntries(COMMANDS.map(([name]) => [name, { bare: [], cmd: [], ratio: [] }]));
const flips = [];
for (const [, args] of COMMANDS) timed([BIN, ...(typeof args === 'function' ? args() : args)], { cwd: dir }); // warm the file cache
timed(['-e', '0']);
for (let round = 0; round < RUNS; round++) {
  for (const [name, args] of COMMANDS) {
    const bare = timed(['-e', '0'], { cwd: dir });
    const cmd = timed([BIN, ...(typeof args === 'function' ? args() : args)], { cwd: dir });
    pairs[name].bare.push(bare.ms);
    pairs[name].cmd.push(cmd.ms);
    pairs[name].ratio.push(cmd.ms / bare.ms);
    if (name === 'flip --sandbox') flips.push(cmd);
  }
}

// Node 20 parses a NODE_EXTRA_CA_CERTS file at every start, on both sides of each pair above: the
// bare start without it, in alternating pairs too, says how much of each baseline that is.
const caFree = { with: [], without: [] };
if (process.env.NODE_EXTRA_CA_CERTS) {
  const { NODE_EXTRA_CA_CERTS: _, ...withoutCa } = env();
  for (let round = 0; round < RUNS; round++) {
    caFree.with.push(timed(['-e', '0']).ms);
    caFree.without.push(timed(['-e', '0'], { env: withoutCa }).ms);
  }
}

// ---- 2. a zero-latency flip: its own run and its steps, from the events ------------------

function stepTimes(evs) {
  const steps = [];
  for (const e of evs) {
    if (e.type === 'step.started') steps.push({ step: e.step, start: at(e) });
    if (e.type === 'step.succeeded') steps.at(-1).end = at(e);
  }
  // Between steps: the engine's own bookkeeping (journal, lock, state), no action at all.
  const gaps = steps.slice(1).map((s, i) => s.start - steps[i].end);
  return { steps, gaps };
}
const flipRuns = flips.map((f) => {
  const evs = events(f.stdout);
  const first = at(evs[0]);
  const last = at(evs.findLast((e) => e.type === 'run.finished'));
  const { steps, gaps } = stepTimes(evs);
  return { wall: f.ms, beforeFirstEvent: first - f.startedAt, run: last - first, perStep: (last - first) / steps.length, gap: gaps.reduce((a, b) => a + b, 0) / gaps.length };
});

// ---- 3. the transition window under latency ------------------------------------------------

/** Total length of the union of [start, end] intervals clipped to [from, to]. */
function covered(spans, from, to) {
  const clipped = spans.map((s) => [Math.max(s.start, from), Math.min(s.end, to)]).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let [curA, curB] = [Number.NaN, Number.NaN];
  for (const [a, b] of clipped) {
    if (!(a <= curB)) {
      if (curB > curA) total += curB - curA;
      [curA, curB] = [a, b];
    } else curB = Math.max(curB, b);
  }
  if (curB > curA) total += curB - curA;
  return total;
}

function windowAt(latencyMs, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const trace = join(root, `trace-${latencyMs}-${i}.json`);
    const run = timed([BIN, 'flip', '--sandbox', '--json', '--sandbox-latency', `${latencyMs}ms`, '--state-dir', join(root, `window-${latencyMs}-${i}`)], {
      cwd: dir,
      env: env({ NODE_OPTIONS: `--import=${TRACE}`, BENCH_TIMER_TRACE: trace }),
    });
    const evs = events(run.stdout);
    const from = at(evs.find((e) => e.type === 'step.started' && e.step === 'enter-maintenance'));
    const to = at(evs.find((e) => e.type === 'step.succeeded' && e.step === 'exit-maintenance'));
    // The simulated calls: a read waits the latency, a write half of it twice.
    const calls = JSON.parse(readFileSync(trace, 'utf8')).filter((s) => s.ms === latencyMs || s.ms === latencyMs / 2);
    const inside = calls.filter((s) => s.start >= from - 1 && s.end <= to + 1);
    const waiting = covered(calls, from, to);
    const window = to - from;
    out.push({ window, waiting, overhead: window - waiting, pct: ((window - waiting) / window) * 100, rounds: waiting / latencyMs, serial: inside.reduce((a, s) => a + (s.end - s.start), 0) });
  }
  return out;
}
const windows = { 50: windowAt(50, 5), 200: windowAt(200, 3) };

// ---- 4. resume against 20, 10k and 100k journal events -----------------------------------

const pausedDir = join(root, 'paused');
execFileSync('node', [BIN, 'flip', '--sandbox', '--until', 'wait-for-approval', '--state-dir', pausedDir], { cwd: dir, env: env(), stdio: 'ignore' });
const resumes = {};
for (const size of [20, 10_000, 100_000]) {
  const results = [];
  for (let i = 0; i < 3; i++) {
    const { stateDir: sd, events: n } = pausedRunWithJournal(pausedDir, size);
    const run = timed([BIN, 'resume', 'latest', '--json', '--state-dir', sd], { cwd: dir });
    const evs = events(run.stdout);
    if (run.code !== 0) throw new Error(`resume at ${n} events exited ${run.code}`);
    const resumed = evs.find((e) => e.type === 'run.resumed');
    const finished = evs.findLast((e) => e.type === 'run.finished');
    const { steps } = stepTimes(evs.slice(evs.indexOf(resumed)));
    results.push({ events: n, wall: run.ms, toResumed: at(resumed) - run.startedAt, perStep: (at(finished) - at(resumed)) / steps.length });
    rmSync(sd, { recursive: true, force: true });
  }
  resumes[size] = results;
}
rmSync(root, { recursive: true, force: true });

// ---- the table ---------------------------------------------------------------------------

const f1 = (n) => n.toFixed(1);
const f2 = (n) => n.toFixed(2);
const rows = [];
for (const [name, p] of Object.entries(pairs)) {
  const r = stats(p.ratio);
  rows.push({ section: 'start-up vs node -e 0', what: `release ${name}`, value: `${f2(r.median)}x`, detail: `range ${f2(r.min)}-${f2(r.max)}x; ${f1(median(p.cmd))} ms vs ${f1(median(p.bare))} ms`, ratio: r, ms: median(p.cmd), bareMs: median(p.bare) });
}
if (caFree.without.length) {
  const [withCa, withoutCa] = [median(caFree.with), median(caFree.without)];
  rows.push({
    section: 'start-up baseline',
    what: 'node -e 0 without NODE_EXTRA_CA_CERTS',
    value: `${f1(withoutCa)} ms`,
    detail: `with it ${f1(withCa)} ms: each ratio above has that file's parse on both sides; a command's own cost is its ms minus the bare ms`,
    ms: withoutCa,
    withCaMs: withCa,
  });
}
const fr = (key) => stats(flipRuns.map((r) => r[key]));
rows.push({ section: 'sandbox flip (0 ms latency)', what: 'wall', value: `${f1(fr('wall').median)} ms`, detail: `range ${f1(fr('wall').min)}-${f1(fr('wall').max)}`, stats: fr('wall') });
rows.push({ section: 'sandbox flip (0 ms latency)', what: 'spawn to first event', value: `${f1(fr('beforeFirstEvent').median)} ms`, detail: `range ${f1(fr('beforeFirstEvent').min)}-${f1(fr('beforeFirstEvent').max)}`, stats: fr('beforeFirstEvent') });
rows.push({ section: 'sandbox flip (0 ms latency)', what: 'own run (first event to last)', value: `${f1(fr('run').median)} ms`, detail: `range ${f1(fr('run').min)}-${f1(fr('run').max)}`, stats: fr('run') });
rows.push({ section: 'sandbox flip (0 ms latency)', what: 'per step (7 steps)', value: `${f2(fr('perStep').median)} ms`, detail: `between steps (engine only) ${f2(fr('gap').median)} ms`, stats: fr('perStep'), gap: fr('gap') });
for (const [latency, runs] of Object.entries(windows)) {
  const w = (key) => stats(runs.map((r) => r[key]));
  rows.push({
    section: `transition window, ${latency} ms per call`,
    what: 'overhead (window - time waiting on calls)',
    value: `${f2(w('pct').median)} %`,
    detail: `range ${f2(w('pct').min)}-${f2(w('pct').max)} %; window ${f1(w('window').median)} ms, waiting ${f1(w('waiting').median)} ms (${f1(w('rounds').median)} call rounds; the calls' own sum ${f1(w('serial').median)} ms)`,
    pct: w('pct'),
    window: w('window'),
    waiting: w('waiting'),
    rounds: w('rounds'),
    serial: w('serial'),
  });
}
const base = median(resumes[20].map((r) => r.perStep));
for (const [size, results] of Object.entries(resumes)) {
  const s = (key) => stats(results.map((r) => r[key]));
  rows.push({
    section: 'resume',
    what: `${results[0].events} journal events`,
    value: `${f1(s('wall').median)} ms`,
    detail: `spawn to run.resumed ${f1(s('toResumed').median)} ms; per step after ${f2(s('perStep').median)} ms (${f2(s('perStep').median / base)}x the 20-event run)`,
    wall: s('wall'),
    toResumed: s('toResumed'),
    perStep: s('perStep'),
  });
}

// Node 20 reads a NODE_EXTRA_CA_CERTS file at every start (tens of ms for a system bundle), on
// both sides of each pair: the ratios depend on it, so the table says whether it was set.
const header = { node: process.version, cpus: cpus().length, startupPairs: RUNS, flips: flips.length, extraCaCerts: Boolean(process.env.NODE_EXTRA_CA_CERTS) };
if (asJson) {
  console.log(JSON.stringify({ ...header, rows }, null, 2));
} else {
  console.log(`node ${header.node}, ${header.cpus} cpus, ${RUNS} alternating pairs per start-up figure (medians; machine load moves both sides alike); NODE_EXTRA_CA_CERTS ${header.extraCaCerts ? 'set' : 'unset'}`);
  const width = (key) => Math.max(...rows.map((r) => r[key].length));
  const [ws, ww, wv] = [width('section'), width('what'), width('value')];
  for (const r of rows) console.log(`${r.section.padEnd(ws)}  ${r.what.padEnd(ww)}  ${r.value.padStart(wv)}  ${r.detail}`);
}
