/**
 * GitHub Actions native mode: the CLI run as a workflow step would run it (GITHUB_ACTIONS=true,
 * GITHUB_STEP_SUMMARY and GITHUB_OUTPUT naming real files), and every line it writes to both
 * streams and both files checked: groups balanced, annotations well formed and escaped, the
 * timeline in the summary, the outputs a later job reads, and secrets registered with
 * ::add-mask:: before anything else and never printed in clear. What only the process shows (the
 * first bytes on its stdout, --json keeping stdout NDJSON) runs the built CLI as a child; the rest
 * runs the same program in-process.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, outputEntry } from '../../src/cli/github-actions.js';
import { ndjson, release as releaseChild, type CliResult } from '../helpers/cli.js';
import { releaseInProcess } from '../helpers/in-process.js';
import { parseOutputs, workflowCommands, type WorkflowCommand } from '../helpers/github-actions.js';
import { exampleProject } from '../helpers/example-project.js';
import { started } from '../helpers/servers.js';
import { testdir } from '../helpers/testdir.js';
import { onlyRun, readEvents } from '../helpers/world.js';
import { BackendServer } from '../emulators/backend-server.js';
import { ConfigServer, SEED_DOCUMENT } from '../emulators/config-server.js';

const DEPLOY = fileURLToPath(new URL('../fixtures/deploy.mjs', import.meta.url));
const SCENARIO_B = ['verify-manual-publishing', 'wait-for-approval', 'enter-maintenance', 'deploy-backend', 'internal-signoff', 'publish-stores', 'exit-maintenance'];

interface StepRun extends CliResult {
  summary: string;
  outputsText: string;
  /** GITHUB_OUTPUT parsed; a name written twice keeps its last value, as GitHub does. */
  outputs: Record<string, string>;
}

/**
 * One `release` command as a workflow step: its own GitHub files unless given (a job's steps share
 * none). In-process unless `release` says otherwise.
 */
async function step(args: string[], dir: string, files = stepFiles(dir), env: Record<string, string> = {}, release = releaseInProcess): Promise<StepRun> {
  const ran = await release(args, { cwd: dir, env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: files.summary, GITHUB_OUTPUT: files.output, ...env } });
  const outputsText = readFileSync(files.output, 'utf8');
  return { ...ran, summary: readFileSync(files.summary, 'utf8'), outputsText, outputs: parseOutputs(outputsText) };
}

function stepFiles(dir: string, name = 'step'): { summary: string; output: string } {
  const files = { summary: join(dir, `${name}-summary.md`), output: join(dir, `${name}-output.txt`) };
  writeFileSync(files.summary, '');
  writeFileSync(files.output, '');
  return files;
}

const groups = (commands: WorkflowCommand[]) => commands.filter((c) => c.name === 'group').map((c) => c.message);
const annotations = (commands: WorkflowCommand[], name: string) => commands.filter((c) => c.name === name);

/** Without --json, stdout carries workflow commands only (people read stderr). */
function stdoutCommands(run: StepRun): WorkflowCommand[] {
  for (const line of run.stdout.split('\n').filter(Boolean)) expect(line.startsWith('::'), `stdout line: ${line}`).toBe(true);
  expect(workflowCommands(run.stderr), 'nothing on stderr looks like a workflow command').toEqual([]);
  return workflowCommands(run.stdout);
}

describe('GitHub Actions native mode', () => {
  it('a flip that succeeds: a group per step, the timeline with its Mermaid chart in the summary, the outputs', async () => {
    const dir = testdir();
    const run = await step(['flip', '--sandbox'], dir);
    expect(run.code, run.stderr).toBe(0);
    const commands = stdoutCommands(run);
    expect(groups(commands).map((g) => g.slice(0, g.indexOf(':')))).toEqual(SCENARIO_B);
    expect(annotations(commands, 'error')).toEqual([]);
    expect(annotations(commands, 'notice')).toEqual([]);

    const runId = onlyRun(dir);
    expect(run.summary).toContain('## release scenario-b: succeeded');
    expect(run.summary).toContain(`Run \`${runId}\``);
    expect(run.summary).toMatch(/```mermaid\ngantt\n[\s\S]*section Steps[\s\S]*section Old apps[\s\S]*```/);
    for (const id of SCENARIO_B) expect(run.summary).toContain(`| ${id} | succeeded |`);
    expect(run.outputs).toEqual({ 'run-id': runId, status: 'succeeded', 'exit-code': '0', continue: '', gate: '' });
  });

  it('a gate without anyone to answer: exit 10, a notice with the command that continues, outputs that say so; that command finishes the run', async () => {
    const dir = testdir();
    const paused = await step(['flip', '--sandbox', '--sandbox-gates', 'manual', '--no-input'], dir);
    expect(paused.code, paused.stderr).toBe(10);
    const runId = onlyRun(dir);
    const continueWith = readEvents(dir, runId).findLast((e) => e.type === 'run.paused')!;
    expect(continueWith.type === 'run.paused' && continueWith.continueWith).toContain(`release signoff ${runId} --gate internal-signoff --approve`);
    const command = continueWith.type === 'run.paused' ? continueWith.continueWith : '';

    const commands = stdoutCommands(paused);
    expect(groups(commands).map((g) => g.slice(0, g.indexOf(':')))).toEqual(SCENARIO_B.slice(0, 5));
    const notices = annotations(commands, 'notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.properties.title).toBe('release paused at gate internal-signoff');
    expect(notices[0]!.message).toContain(`Continue with: ${command}`);
    expect(annotations(commands, 'error')).toEqual([]);
    // The notice comes after the last group closed, where the run stopped.
    expect(commands.at(-1)!.name).toBe('notice');

    expect(paused.outputs).toEqual({ 'run-id': runId, status: 'paused', 'exit-code': '10', continue: command, gate: 'internal-signoff' });
    expect(paused.summary).toContain('## release scenario-b: paused');
    expect(paused.summary).toContain('| internal-signoff | paused |');
    expect(paused.summary).toContain('```mermaid');
    expect(paused.summary).toContain(`> Continue with: ${command}`);

    // The next job: the very command the output names (`--by <name>` filled in), in one step's files.
    const job2 = stepFiles(dir, 'job2');
    const [signoff, resume] = command.replace('<name>', 'qa').split(' && ').map((c) => c.split(' ').slice(1));
    const signed = await step([...signoff!, '--sandbox'], dir, job2);
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.summary, 'a sign-off is no stop of the run').toBe('');
    const resumed = await step([...resume!, '--sandbox', '--yes'], dir, job2);
    // The sandbox's manual gates: Play's "Publish changes" waits for a person next.
    expect(resumed.code, resumed.stderr).toBe(10);
    expect(resumed.outputs).toMatchObject({ 'run-id': runId, status: 'paused', 'exit-code': '10', gate: 'play-publish' });
    // The gate's step is continued (its decision read), then the pivot: each in its group.
    expect(groups(stdoutCommands(resumed)).map((g) => g.slice(0, g.indexOf(':')))).toEqual(['internal-signoff', 'publish-stores']);
    // The summary shows the whole run, the earlier job's steps included.
    expect(resumed.summary).toContain('| internal-signoff | succeeded |');
    expect(resumed.summary).toContain('| verify-manual-publishing | succeeded |');

    await step(['signoff', runId, '--gate', 'play-publish', '--approve', '--by', 'captain', '--sandbox'], dir, job2);
    const done = await step(['resume', runId, '--sandbox', '--yes'], dir, job2);
    expect(done.code, done.stderr).toBe(0);
    // Two stops in one job: two summaries appended, the outputs' last values win.
    expect(done.summary.match(/^## release scenario-b: /gm)).toEqual(['## release scenario-b: ', '## release scenario-b: ']);
    expect(done.summary).toContain('## release scenario-b: succeeded');
    expect(done.outputs).toEqual({ 'run-id': runId, status: 'succeeded', 'exit-code': '0', continue: '', gate: '' });
  });

  it('a flip that fails: the failing step as an ::error:: in its group, the rollback in a group of its own, the run as an ::error::', async () => {
    const dir = testdir();
    const run = await step(['flip', '--sandbox', '--sandbox-fail', 'deploy-backend'], dir);
    expect(run.code, run.stderr).toBe(3);
    const commands = stdoutCommands(run);
    expect(groups(commands).at(-1)).toBe('rollback: deploy-backend, enter-maintenance');
    const errors = annotations(commands, 'error');
    expect(errors.map((e) => e.properties.title)).toEqual(['deploy-backend failed', 'release scenario-b: rolled_back (exit 3)']);
    expect(errors[0]!.message).toContain('backend deploy failed (simulated by --sandbox-fail deploy-backend)');
    expect(errors[1]!.message).toContain('Undone, in order: deploy-backend, enter-maintenance.');
    // The retry before the failure is a warning.
    expect(annotations(commands, 'warning').map((w) => w.properties.title)).toEqual(['deploy-backend: attempt 1 failed']);
    // The step's error is inside the deploy-backend group.
    const inGroup = commands.slice(commands.findIndex((c) => c.name === 'group' && c.message.startsWith('deploy-backend:')));
    expect(inGroup.findIndex((c) => c.name === 'error')).toBeLessThan(inGroup.findIndex((c) => c.name === 'endgroup'));

    expect(run.outputs).toEqual({ 'run-id': onlyRun(dir), status: 'rolled_back', 'exit-code': '3', continue: '', gate: '' });
    expect(run.summary).toContain('## release scenario-b: rolled_back');
    expect(run.summary).toContain('| deploy-backend | undone |');
    expect(run.summary).toContain('```mermaid');
  });

  it('a warning from a port (a config without ETags) is a ::warning:: annotation; --until stops with a notice', async () => {
    const config = await started(new ConfigServer(SEED_DOCUMENT));
    config.etags = false;
    const dir = exampleProject(`remoteConfig:
  provider: http
  url: ${config.url}`);
    const run = await step(['flip', '--yes', '--until', 'enter-maintenance'], dir);
    expect(run.code, run.stderr).toBe(0);
    const commands = stdoutCommands(run);
    const warnings = annotations(commands, 'warning');
    expect(warnings.map((w) => w.properties.title)).toEqual(['enter-maintenance']);
    expect(warnings[0]!.message).toMatch(/ETag/);
    const notice = annotations(commands, 'notice');
    expect(notice.map((n) => n.properties.title)).toEqual(['release stopped after enter-maintenance (--until)']);
    expect(notice[0]!.message).toContain(`release resume ${onlyRun(dir)}`);
    expect(run.outputs).toMatchObject({ status: 'paused', 'exit-code': '0', continue: `release resume ${onlyRun(dir)}`, gate: '' });
  });

  it('--json: stdout stays NDJSON only; the workflow commands go to stderr', async () => {
    const dir = testdir();
    const run = await step(['flip', '--sandbox', '--json'], dir, stepFiles(dir), {}, releaseChild);
    expect(run.code, run.stderr).toBe(0);
    const events = ndjson(run.stdout);
    expect(events.at(-1)).toMatchObject({ type: 'run.exit', exit: 'ok' });
    const commands = workflowCommands(run.stderr);
    expect(groups(commands)).toHaveLength(SCENARIO_B.length);
    expect(run.outputs).toMatchObject({ 'run-id': onlyRun(dir), status: 'succeeded', 'exit-code': '0' });
  });

  it('an error before any run: an ::error:: annotation and the exit code as an output', async () => {
    const dir = testdir();
    const run = await step(['resume', 'no-such-run', '--sandbox'], dir);
    expect(run.code).toBe(2);
    const errors = annotations(stdoutCommands(run), 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.properties.title).toBe('release failed (exit 2)');
    expect(run.outputs).toEqual({ status: 'error', 'exit-code': '2' });
  });

  it('a secret the run masks is registered with ::add-mask:: before anything else, and printed in clear nowhere', async () => {
    const backend = await started(new BackendServer('1.4.2'));
    // `%` must be escaped in the command, or the runner would register another value.
    const token = `gh%tok-${randomBytes(6).toString('hex')}`;
    const dir = exampleProject(`backend:
  provider: command
  deploy: { run: [node, ${DEPLOY}, deploy], timeout: 20s, env: { DEPLOY_PRINT_ENV: DEPLOY_TOKEN } }
  rollback: { run: [node, ${DEPLOY}, rollback], timeout: 20s }
  health: { url: ${backend.healthUrl}, versionPath: build.version, headers: { X-Deploy-Token: "\${DEPLOY_TOKEN}" } }
  waitForVersion: 10s`);
    const run = await step(['flip', '--yes'], dir, stepFiles(dir), { DEPLOY_TOKEN: token, BACKEND_ADMIN: backend.server.url }, releaseChild);
    expect(run.code, run.stderr).toBe(0);

    const commands = stdoutCommands(run);
    expect(commands[0]).toEqual({ name: 'add-mask', properties: {}, message: token });
    expect(run.stdout.startsWith(`::add-mask::${escapeData(token)}\n`)).toBe(true);
    expect(annotations(commands, 'add-mask').every((c) => commands.indexOf(c) < commands.findIndex((x) => x.name === 'group'))).toBe(true);
    // The deploy printed it; the tool masked it.
    expect(run.stderr).toContain('DEPLOY_TOKEN=***');
    for (const [where, text] of Object.entries({ stdout: run.stdout, stderr: run.stderr, summary: run.summary, outputs: run.outputsText })) {
      expect(text.includes(token), `${where} holds the secret`).toBe(false);
    }
    expect(run.outputs.status).toBe('succeeded');
  });
});

describe('workflow-command escaping (GitHub’s rules)', () => {
  it('escapes %, CR and LF in values, and also : and , in properties', () => {
    expect(escapeData('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext: a, b');
    expect(escapeProperty('step: a, b%\n')).toBe('step%3A a%2C b%25%0A');
  });

  it('writes one-line outputs as name=value and others in the delimiter form', () => {
    expect(outputEntry('status', 'paused')).toBe('status=paused\n');
    const entry = outputEntry('continue', 'one\ntwo');
    const delimiter = /^continue<<(ghadelimiter_[\w-]+)\n/.exec(entry)![1]!;
    expect(entry).toBe(`continue<<${delimiter}\none\ntwo\n${delimiter}\n`);
  });
});
