/**
 * `release repair <run>`: the way out of a damaged journal. Shows the first bad line, what the
 * readable journal says next to the world as read back now, and records a human's decision:
 * `--accept` (the readable journal is the truth; the run can be resumed or rolled back from it)
 * or `--abandon` (the tool closes the run and never acts on it again). The damaged file is kept.
 */
import { JournalDamagedError, type JournalDamage, type JournalRead } from '../../engine/journal.js';
import { Recorder } from '../../engine/recorder.js';
import { fenceOf } from '../../engine/lock.js';
import { explain } from '../../engine/session.js';
import { isTerminal, reduceJournal } from '../../engine/state.js';
import { EXIT_CODES, ReleaseError, usageError } from '../../errors.js';
import { loadRealAdapters, portsFor } from '../adapters.js';
import { learnRunSecrets, redactedIO, redactFor } from '../config-secrets.js';
import { commandsFor, effectiveSandboxFlags, lockKeyOf, identity, promptAllowed, type RunContext } from '../context.js';
import { openRunStore } from '../state-store.js';
import type { IO } from '../io.js';
import type { GlobalOptions } from '../program.js';
import { terminalPrompter } from '../prompter.js';
import { recordedRelease } from '../release-source.js';
import { compareWithWorld, worldRecord, type Comparison } from '../world-readback.js';

export interface RepairOptions extends GlobalOptions {
  run: string;
  accept?: boolean;
  abandon?: boolean;
  reason?: string;
}

export async function runRepair(rawIO: IO, opts: RepairOptions): Promise<number> {
  if (opts.accept && opts.abandon) throw usageError('Say --accept or --abandon, not both.');
  const decision = opts.accept ? 'accept' : opts.abandon ? 'abandon' : undefined;
  if (decision && !opts.reason) throw usageError(`--${decision} needs --reason: the journal and the team need to know why.`);
  const commands = commandsFor(opts);
  // One store for the whole repair: the journal is read and verified once.
  const store = await openRunStore(rawIO, opts);
  const probe = await store.journalOf(opts.run);
  const read = await probe.journal.read();
  // The damaged line is printed below: mask the run's secrets from the first word on.
  if (read.events[0]?.type === 'run.created') learnRunSecrets(rawIO, read.events[0]);
  const damage = read.damage ?? tornWithoutRecord(read);
  if (!damage) throw usageError(`Run ${probe.id} has a whole journal; there is nothing to repair.`, `See it with \`release status ${probe.id}\`.`);
  const out = (line = '') => rawIO.out.write(`${line}\n`);
  out(`Run ${probe.id}: journal ${read.damage ? 'damaged' : 'incomplete'} at line ${damage.line}: ${damage.problem}.`);
  if (damage.text) out(`  the line held: ${damage.text}`);
  if (read.events[0]?.type !== 'run.created') {
    out('Nothing before it can be read: there is no record of what the run did. Check the world by hand.');
    if (decision !== 'abandon') return EXIT_CODES['needs-human'];
    if (!(await confirmed(rawIO, opts, `Set the journal of ${probe.id} aside?`))) return EXIT_CODES['needs-human'];
    const aside = await probe.journal.setAside(stamp());
    out(`Set aside as ${aside}; the run is gone from the tool's view, and its lock (if any) is cleared by the next flip.`);
    return EXIT_CODES.ok;
  }

  const state = reduceJournal(read);
  const config = recordedRelease(state);
  const context = state.context as unknown as RunContext;
  const redact = redactFor(rawIO, config, context);
  const io = redactedIO(rawIO, redact);
  store.maskWith(redact);
  const run = await store.openId(state.runId);
  const source = portsFor(io, { dir: run.dir, playbook: state.playbook }, config, context, effectiveSandboxFlags({ faults: [], metrics: {} }, state.sandbox), await loadRealAdapters(context));
  const rows = await compareWithWorld(state, source.envFor(state.steps[0]!.id, 'verify'), AbortSignal.timeout(60_000));
  printComparison(io, state.steps.map((s) => `${s.id} ${s.status}`), rows);
  if (opts.json) io.out.write(`${JSON.stringify({ type: 'run.repair', runId: run.id, ts: new Date().toISOString(), damage, steps: state.steps.map((s) => ({ id: s.id, status: s.status })), comparison: rows })}\n`);
  if (!decision) {
    io.err.write(`Decide with \`${commands.repair(run.id)} --accept --reason "…"\` (the readable journal is the truth: then resume or roll back) or \`--abandon --reason "…"\` (close the run; fix the world by hand).\n`);
    return EXIT_CODES['needs-human'];
  }
  const differs = rows.filter((r) => !r.same).length;
  const question = decision === 'accept'
    ? `Accept the journal up to line ${damage.line - 1} as the truth${differs ? ` (${differs} thing(s) in the world differ from it)` : ''}?`
    : `Close run ${run.id} for good? The tool will not act on it again.`;
  if (!(await confirmed(io, opts, question))) return EXIT_CODES['needs-human'];

  const by = identity();
  const lock = await store.locks.acquire({ app: lockKeyOf(state.context, config), runId: run.id, operation: 'repair', by, resuming: true });
  try {
    // The decision was made on what was shown: under the lock, the journal must still say that.
    const now = await run.journal.read();
    const seen = now.damage ?? tornWithoutRecord(now);
    if (JSON.stringify(seen) !== JSON.stringify(damage)) {
      await store.locks.park(lock);
      throw usageError(`Run ${run.id}'s journal changed while you decided; nothing was recorded.`, `Look again with \`${commands.repair(run.id)}\`.`);
    }
    const aside = read.damage ? await run.journal.setAside(stamp()) : '(nothing set aside: the journal is whole)';
    run.journal.fence = fenceOf(lock);
    await new Recorder(run, () => undefined).record({ type: 'run.repaired', by, decision, reason: opts.reason!, damage, setAside: aside, world: worldRecord(rows) });
    const after = reduceJournal(await run.journal.read());
    if (isTerminal(after.status)) await store.locks.release(lock);
    else await store.locks.park(lock);
    io.err.write(`Recorded: ${by.who} ${decision === 'accept' ? 'accepted the readable journal' : 'closed the run'}. The damaged file is kept as ${aside}.\n`);
    if (decision === 'accept') io.err.write(`The run is ${after.status} as of its last readable event. Go on with \`${commands.resume(run.id)}\`, or undo with \`${commands.rollback(run.id)}\`.\n`);
    return EXIT_CODES.ok;
  } catch (err) {
    await store.locks.park(lock).catch(() => undefined);
    if (err instanceof JournalDamagedError || err instanceof ReleaseError) throw err;
    throw explain(err, run.id, commands);
  }
}

/** An intent cut short with no earlier plan: not damage, but no undo record either. */
function tornWithoutRecord(read: JournalRead): JournalDamage | undefined {
  if (read.events[0]?.type !== 'run.created') return undefined;
  const step = reduceJournal(read).steps.find((s) => s.tornIntent !== undefined && !s.plan);
  if (!step) return undefined;
  return { line: step.tornIntent!, problem: `the intent of ${step.id} was cut short, so there is no record of what it changed`, text: '' };
}

function printComparison(io: IO, steps: string[], rows: Comparison[]): void {
  const out = (line = '') => io.out.write(`${line}\n`);
  out();
  out(`What the readable journal says: ${steps.join(', ')}`);
  out();
  const width = Math.max(...rows.map((r) => r.what.length), 4);
  out(`  ${'what'.padEnd(width)}  ${'journal says'.padEnd(28)}  world now`);
  for (const r of rows) out(`${r.same ? ' ' : '!'} ${r.what.padEnd(width)}  ${fmt(r.journal).padEnd(28)}  ${fmt(r.world)}`);
  out();
}

async function confirmed(io: IO, opts: GlobalOptions, question: string): Promise<boolean> {
  if (opts.yes) return true;
  if (!promptAllowed(io, opts)) throw usageError('repair records a decision: add --yes when nobody can be asked.');
  return terminalPrompter(io).confirm(question);
}

function fmt(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}
