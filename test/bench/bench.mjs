#!/usr/bin/env node
// `npm run bench`: the figures the README and closing notes quote. Not a test: nothing here fails.
//   - start-up: `release --help` against a bare `node -e 0` (the budget is 2x)
//   - a whole Scenario B flip on the sandbox, wall clock
//   - journal appends per second (each one written and fsynced)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/release.js', import.meta.url));
const { Journal } = await import(new URL('../../dist/engine/journal.js', import.meta.url));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(args, opts = {}) {
  const start = process.hrtime.bigint();
  try {
    execFileSync('node', args, { stdio: 'ignore', ...opts });
  } catch {
    // exit codes do not matter for timing
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function sample(n, fn) {
  fn(); // warm the file cache
  return median(Array.from({ length: n }, fn));
}

const runs = Number(process.env.BENCH_RUNS ?? 21);
const bare = sample(runs, () => time(['-e', '0']));
const help = sample(runs, () => time([BIN, '--help']));

const dir = mkdtempSync(join(tmpdir(), 'release-bench-'));
const flip = sample(5, () => time([BIN, 'flip', '--sandbox'], { cwd: dir, env: { ...process.env, RELEASE_STATE_DIR: join(dir, String(Math.random())) } }));

const journal = new Journal(join(dir, 'journal.ndjson'), join(dir, 'heads', 'bench.json'));
const appends = 2000;
const start = process.hrtime.bigint();
for (let i = 0; i < appends; i++) journal.append({ type: 'step.interrupted', step: `s${i}`, runId: 'bench', ts: new Date().toISOString() });
const journalMs = Number(process.hrtime.bigint() - start) / 1e6;
journal.close();
rmSync(dir, { recursive: true, force: true });

const rows = [
  ['node -e 0 (median)', `${bare.toFixed(1)} ms`],
  ['release --help (median)', `${help.toFixed(1)} ms`],
  ['  ratio (budget 2.0x)', `${(help / bare).toFixed(2)}x`],
  ['release flip --sandbox (median of 5)', `${flip.toFixed(0)} ms`],
  ['journal append (sealed, fsynced, head moved)', `${Math.round(appends / (journalMs / 1000))} events/s`],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`node ${process.version}, ${runs} runs per start-up figure`);
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
