/**
 * The README's GitHub Actions workflow runs as written: the test reads its YAML, and runs each
 * job's `run:` steps the way the runner would (bash -eo pipefail, the workflow's and the step's
 * env with `${{ }}` filled in, GITHUB_ACTIONS=true, a GITHUB_OUTPUT and GITHUB_STEP_SUMMARY per
 * step, job outputs from step outputs, a job's `if:` judged), in the order GitHub would start
 * them: the dispatch, the testers' environment job, and the schedule. `npx release` is the built
 * CLI with `--sandbox` added (and, for the flip, gates that wait for people); `gh api` answers
 * who approved the environment.
 */
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { DurableEvent } from '../../src/engine/events.js';
import { BIN, cliEnv } from '../helpers/cli.js';
import { parseOutputs, workflowCommands } from '../helpers/github-actions.js';
import { readmeYamlBlock } from '../helpers/readme.js';
import { testdir } from '../helpers/testdir.js';
import { onlyRun, readEvents } from '../helpers/world.js';

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}

interface Job {
  needs?: string;
  if?: string;
  environment?: string;
  outputs?: Record<string, string>;
  steps: Step[];
}

interface Workflow {
  on: Record<string, unknown>;
  env: Record<string, string>;
  jobs: Record<string, Job>;
}

/** What `${{ }}` may read: the jobs this one needs, this job's steps, github.*, secrets (none set). */
interface Contexts {
  needs: Record<string, Record<string, string>>;
  steps: Record<string, Record<string, string>>;
}

function lookup(path: string, ctx: Contexts): string {
  const [scope, name, kind, key] = path.split('.');
  if (scope === 'secrets') return '';
  if (scope === 'github' && name === 'token') return 'test-token';
  if ((scope === 'needs' || scope === 'steps') && kind === 'outputs') return ctx[scope][name!]?.[key!] ?? '';
  throw new Error(`the test does not know \${{ ${path} }}`);
}

const fill = (text: string, ctx: Contexts) => text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, path: string) => lookup(path, ctx));

/** A job's `if:` as the workflow writes them: `a == 'b' && c == 'd'`. */
function judge(condition: string, ctx: Contexts): boolean {
  return condition.split('&&').every((clause) => {
    const [left, right] = clause.split('==').map((side) => side.trim());
    const value = (side: string) => (/^'.*'$/.test(side) ? side.slice(1, -1) : lookup(side, ctx));
    return value(left!) === value(right!);
  });
}

const PRELUDE = `release() {
  if [ "$1" = flip ]; then node ${JSON.stringify(BIN)} "$@" --sandbox --sandbox-gates manual; else node ${JSON.stringify(BIN)} "$@" --sandbox; fi
}
npx() { if [ "$1" = release ]; then shift; release "$@"; else command npx "$@"; fi; }
# The REST API's review history of this workflow run: the tester who approved the environment.
gh() {
  [ "$1 $2" = "api repos/example/shop/actions/runs/4242/approvals" ] || { echo "unexpected: gh $*" >&2; return 1; }
  echo tester
}
`;

interface JobRun {
  ran: boolean;
  outputs: Record<string, string>;
  /** Each step's stdout, stderr and job summary, by step id. */
  steps: Record<string, { stdout: string; stderr: string; summary: string; outputs: Record<string, string> }>;
}

async function runJob(workflow: Workflow, name: string, event: string, dir: string, needs: Contexts['needs'] = {}): Promise<JobRun> {
  const job = workflow.jobs[name]!;
  const ctx: Contexts = { needs, steps: {} };
  const result: JobRun = { ran: false, outputs: {}, steps: {} };
  if (job.if && !judge(job.if, ctx)) return result;
  result.ran = true;
  for (const [i, step] of job.steps.entries()) {
    // Checkout, Node and `npm ci` give what the test already has: the built CLI.
    if (!step.run || step.run.trim() === 'npm ci') continue;
    const id = step.id ?? `step${i}`;
    const files = { summary: join(dir, `${name}-${event}-${id}-summary.md`), output: join(dir, `${name}-${event}-${id}-output.txt`) };
    writeFileSync(files.summary, '');
    writeFileSync(files.output, '');
    const env: Record<string, string> = {};
    // An expression that reads as empty (an unset secret) is left out, as if not set.
    for (const [k, v] of Object.entries({ ...workflow.env, ...step.env })) if (fill(v, ctx) !== '') env[k] = fill(v, ctx);
    const ran = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', `${PRELUDE}${fill(step.run, ctx)}`], {
      cwd: dir,
      env: cliEnv({
        ...env,
        GITHUB_ACTIONS: 'true',
        CI: 'true',
        GITHUB_EVENT_NAME: event,
        GITHUB_ACTOR: 'captain',
        GITHUB_REPOSITORY: 'example/shop',
        GITHUB_RUN_ID: '4242',
        GITHUB_OUTPUT: files.output,
        GITHUB_STEP_SUMMARY: files.summary,
      }),
      extendEnv: false,
      reject: false,
    });
    expect(ran.exitCode, `${name} (${event}) step ${id}:\n${ran.stdout}\n${ran.stderr}`).toBe(0);
    const outputs = parseOutputs(readFileSync(files.output, 'utf8'));
    ctx.steps[id] = outputs;
    result.steps[id] = { stdout: String(ran.stdout), stderr: String(ran.stderr), summary: readFileSync(files.summary, 'utf8'), outputs };
  }
  for (const [k, v] of Object.entries(job.outputs ?? {})) result.outputs[k] = fill(v, ctx);
  return result;
}

const count = (events: DurableEvent[], type: DurableEvent['type']) => events.filter((e) => e.type === type).length;

describe("the README's GitHub Actions workflow", () => {
  it('runs as written: the dispatch pauses at the testers, their environment job signs off, the schedule carries it to the end', async () => {
    const workflow = parse(readmeYamlBlock('### GitHub Actions', 'name: release')) as Workflow;
    expect(Object.keys(workflow.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(workflow.jobs['internal-signoff']!.environment).toBe('internal-signoff');
    const dir = testdir();

    // The captain starts it: every step up to the testers' gate.
    const started = await runJob(workflow, 'drive', 'workflow_dispatch', dir);
    const runId = onlyRun(dir);
    expect(started.outputs).toEqual({ 'run-id': runId, status: 'paused', gate: 'internal-signoff' });
    const commands = workflowCommands(started.steps.release!.stdout);
    expect(commands.filter((c) => c.name === 'notice').map((c) => c.properties.title)).toEqual(['release paused at gate internal-signoff']);
    expect(started.steps.release!.summary).toContain('```mermaid');

    // A schedule while the testers test leaves their gate alone: no resume, no new approval request.
    const meanwhile = await runJob(workflow, 'drive', 'schedule', dir);
    expect(meanwhile.outputs).toEqual({ 'run-id': '', status: '', gate: '' });
    expect(count(readEvents(dir, runId), 'run.resumed')).toBe(0);

    // A tester approves the environment: the job records who, and resumes to the pivot.
    const signed = await runJob(workflow, 'internal-signoff', 'workflow_dispatch', dir, { drive: started.outputs });
    expect(signed.ran).toBe(true);
    const decided = readEvents(dir, runId).filter((e) => e.type === 'gate.decided' && e.gate === 'internal-signoff');
    expect(decided).toMatchObject([{ approved: true, by: 'tester', source: 'signoff' }]);
    // The sandbox's Play waits for "Publish changes" (a manual gate here): exit 10, said so.
    expect(signed.steps.release!.outputs).toMatchObject({ 'run-id': runId, status: 'paused', gate: 'play-publish' });

    // Nothing pressed yet: the schedule looks, and the run waits on.
    const looked = await runJob(workflow, 'drive', 'schedule', dir);
    expect(looked.outputs).toMatchObject({ 'run-id': runId, status: 'paused', gate: 'play-publish' });
    // The environment job's `if:` stays false for this stop.
    expect((await runJob(workflow, 'internal-signoff', 'schedule', dir, { drive: looked.outputs })).ran).toBe(false);

    // Pressed (in the sandbox: said with a sign-off); the next schedule finishes the flip.
    const press = await execa('node', [BIN, 'signoff', runId, '--gate', 'play-publish', '--approve', '--by', 'captain', '--sandbox'], { cwd: dir, env: cliEnv(), extendEnv: false, reject: false });
    expect(press.exitCode, press.stderr).toBe(0);
    const finished = await runJob(workflow, 'drive', 'schedule', dir);
    expect(finished.outputs).toEqual({ 'run-id': runId, status: 'succeeded', gate: '' });
    expect(finished.steps.release!.summary).toContain('## release scenario-b: succeeded');

    // After the end, the schedule does nothing.
    const after = await runJob(workflow, 'drive', 'schedule', dir);
    expect(after.outputs).toEqual({ 'run-id': '', status: '', gate: '' });
    expect(count(readEvents(dir, runId), 'run.finished')).toBe(1);
  });
});
