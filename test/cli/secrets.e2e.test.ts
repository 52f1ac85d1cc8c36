/**
 * Secrets never leave the tool unmasked. A real project: an HTTP config whose token holds `"` and
 * `\`, Google Play (emulator) with a service-account key in an env var (newlines, quotes,
 * backslashes, unicode), a 3-character health-check pin, a Slack webhook (a receiver on
 * 127.0.0.1), and a deploy command that prints them all. A flip that fails and rolls back, then
 * one that succeeds; then every file under the state dir, every output of flip, status, log and
 * report, every Slack payload and the backend logs are searched for every secret. The flips, and
 * the resume whose error escapes, are the built CLI as child processes (their real stdout and
 * stderr); the commands that show a run afterwards run the same program in-process.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DurableEvent } from '../../src/engine/events.js';
import { Journal } from '../../src/engine/journal.js';
import { ndjson, release as releaseChild, startRelease } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { pressPublishAtGate } from '../helpers/store-project.js';
import { exampleProject } from '../helpers/example-project.js';
import { started } from '../helpers/servers.js';
import { headPath, journalPath, onlyRun, runIds } from '../helpers/world.js';
import { BackendServer } from '../emulators/backend-server.js';
import { ConfigServer, SEED_DOCUMENT } from '../emulators/config-server.js';
import { GooglePlayEmulator } from '../emulators/google-play.js';
import { TestServer } from '../emulators/http.js';

const DEPLOY = fileURLToPath(new URL('../fixtures/deploy.mjs', import.meta.url));
const SHIPPED = fileURLToPath(new URL('../../playbooks/scenario-b.yaml', import.meta.url));

/** Every form a secret could leak in: as it is, as JSON writes it, and the lines of a key file. */
function leakForms(secret: string): string[] {
  const lines = secret.split('\n').map((l) => l.trim()).filter((l) => /[A-Za-z0-9\u0080-\uffff]{6,}/.test(l) && !l.startsWith('-----'));
  return [secret, JSON.stringify(secret).slice(1, -1), ...lines];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const PRINTED = 'CONFIG_TOKEN,PLAY_KEY,DEPLOY_PIN,SLACK_WEBHOOK_URL';

describe('secrets are masked in every sink', () => {
  it('a failed and a successful flip: no secret in the state dir, the outputs, Slack or the backend logs', async () => {
    const config = await started(new ConfigServer(SEED_DOCUMENT));
    const backend = await started(new BackendServer('1.4.2'));
    const play = await started(new GooglePlayEmulator());
    play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_APPROVED_NOT_PUBLISHED' });
    const slack = await started(new TestServer());
    const payloads: string[] = [];
    slack.route('POST', /^\/hook\//, (req) => (payloads.push(req.rawBody), { status: 200, body: 'ok' }));

    const secrets = {
      CONFIG_TOKEN: `s3cr"et\\to-ken-${randomBytes(4).toString('hex')}`,
      // A key file pasted into a CI secret: newlines, quotes, backslashes (its \n escapes), unicode.
      PLAY_KEY: JSON.stringify({ ...play.serviceAccount, private_key_id: 'ключ-🔑-秘密' }, null, 2),
      DEPLOY_PIN: 'q7!',
      SLACK_WEBHOOK_URL: `${slack.url}/hook/T0001/B0001/${randomBytes(8).toString('hex')}`,
    };
    config.token = secrets.CONFIG_TOKEN;
    const dir = exampleProject(
      `stores:
  android:
    provider: google-play
    credentials: { serviceAccountKey: { env: PLAY_KEY } }
    apiRoot: ${play.server.url}/
    pollInterval: 100ms
remoteConfig:
  provider: http
  url: ${config.url}
  headers: { Authorization: "Bearer \${CONFIG_TOKEN}" }
backend:
  provider: command
  deploy: { run: [node, ${DEPLOY}, deploy], timeout: 20s, env: { DEPLOY_PRINT_ENV: "${PRINTED}", DEPLOY_FAIL_FILE: fail-deploy } }
  rollback: { run: [node, ${DEPLOY}, rollback], timeout: 20s, env: { DEPLOY_PRINT_ENV: "${PRINTED}" } }
  health: { url: ${backend.healthUrl}, versionPath: build.version, headers: { X-Deploy-Pin: "\${DEPLOY_PIN}" } }
  waitForVersion: 10s
notify:
  slack: { webhook: { env: SLACK_WEBHOOK_URL } }`,
      {
        'fail-deploy': 'the deploy fails while this file exists',
        'playbooks/scenario-b.yaml': readFileSync(SHIPPED, 'utf8').replace(/poll-interval: 5m/g, 'poll-interval: 200ms').replace(/retry: \{ attempts: 2, delay: 10s \}/, 'retry: { attempts: 2, delay: 100ms }'),
      },
    );
    const env = { ...secrets, BACKEND_ADMIN: backend.server.url, RELEASE_PLAY_TOKEN_URL: `${play.server.url}/token`, RELEASE_ACTOR: 'captain-ci' };
    const outputs: Record<string, string> = {};
    const keep = (name: string, result: { stdout: string; stderr: string }) => (outputs[`${name} stdout`] = result.stdout, outputs[`${name} stderr`] = result.stderr);

    // The deploy prints the secrets and fails, twice: the run rolls back (Slack hears of it).
    const failed = await releaseChild(['flip', '--yes', '--attest', 'play-managed-publishing'], { cwd: dir, env });
    keep('failed flip', failed);
    expect(failed.code, failed.stderr).toBe(3);
    expect(failed.stderr).toContain('DEPLOY_PIN=***');
    expect(config.doc).toEqual(SEED_DOCUMENT);

    rmSync(join(dir, 'fail-deploy'));
    const child = startRelease(['flip', '--json', '--yes', '--attest', 'play-managed-publishing', '--wait', '60s'], { cwd: dir, env });
    void pressPublishAtGate(child, play);
    const flipped = await child;
    keep('flip --json', { stdout: String(flipped.stdout), stderr: String(flipped.stderr) });
    expect(flipped.exitCode, String(flipped.stderr)).toBe(0);
    expect(backend.version).toBe('2.0.0');

    const runs = runIds(dir);
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      const shows = [['status', run], ['status', run, '--json'], ['log', run], ['log', run, '--json'], ['report', run], ['report', run, '--json']];
      await Promise.all(
        shows.map(async (args) => {
          const shown = await release(args, { cwd: dir, env });
          expect(shown.code, shown.stderr).toBe(0);
          keep(args.join(' '), shown);
        }),
      );
    }
    expect(outputs[`log ${runs[0]} stdout`]).toContain('DEPLOY_PIN=***'); // the failure's last lines, masked
    expect(outputs[`report ${runs[1]} stdout`]).toContain('```mermaid');

    const stateDir = join(dir, '.release');
    const files = filesUnder(stateDir);
    const deployLog = join(stateDir, 'runs', runs[1]!, 'logs', 'backend-deploy.log');
    expect(files).toContain(deployLog);
    expect(files).toContain(join(stateDir, 'runs', runs[0]!, 'logs', 'backend-deploy.log'));
    const log = readFileSync(deployLog, 'utf8');
    // The secrets were printed, and masked: the log still says what happened.
    expect(log).toContain('DEPLOY_PIN=***');
    expect(log).toContain('CONFIG_TOKEN=***');
    expect(log).toContain('{"DEPLOY_PIN":"***"}');
    expect(log).toContain('deploy: 1.4.2 -> 2.0.0');
    expect(payloads.join('\n')).toContain('rolled back');
    expect(payloads.at(-1)).toContain('scenario-b completed');

    const sinks: Record<string, string> = {
      ...Object.fromEntries(files.map((f) => [f, readFileSync(f, 'utf8')])),
      ...outputs,
      ...Object.fromEntries(payloads.map((p, i) => [`Slack payload ${i + 1}`, p])),
    };
    // Also parts of the key: its private key, and unicode a pipe may cut in two (it must be decoded whole to be matched).
    const checked = { ...secrets, 'the private key in PLAY_KEY': play.serviceAccount.private_key, 'the unicode in PLAY_KEY': '🔑-秘密' };
    for (const [name, secret] of Object.entries(checked)) {
      for (const form of leakForms(secret)) {
        for (const [sink, text] of Object.entries(sinks)) expect(text.includes(form), `${name} (${JSON.stringify(form.slice(0, 40))}) in ${sink}`).toBe(false);
      }
    }
  });

  it('an older journal holding a short secret: log, report and repair mask it, and so does the error that escapes resume', async () => {
    const dir = exampleProject(`remoteConfig:
  provider: http
  url: http://127.0.0.1:9/config
  headers: { Authorization: "Bearer \${CONFIG_TOKEN}" }`);
    const env = { CONFIG_TOKEN: 'q7!' };
    expect((await releaseChild(['flip', '--sandbox', '--yes', '--until', 'enter-maintenance'], { cwd: dir, env })).code).toBe(0);
    const runId = onlyRun(dir);
    // Releases before this one never masked secrets under 8 characters: a journal may hold one.
    const stateDir = join(dir, '.release');
    const journal = journalPath(stateDir, runId);
    new Journal(journal, headPath(stateDir, runId)).append({
      type: 'run.finished',
      runId,
      ts: new Date().toISOString(),
      status: 'needs_human',
      message: 'deploy-backend failed: the deploy command failed with exit code 1; last lines:\n    CONFIG_TOKEN=q7!\n    q7!',
      hint: 'Look at the deploy.',
    } as DurableEvent);
    expect(readFileSync(journal, 'utf8')).toContain('CONFIG_TOKEN=q7!');

    const shows = [['log', runId], ['log', runId, '--json'], ['report', runId], ['report', runId, '--json']];
    for (const shown of await Promise.all(shows.map((args) => release(args, { cwd: dir, env })))) {
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toContain('CONFIG_TOKEN=***');
      expect(shown.stdout + shown.stderr).not.toContain('q7!');
    }

    // Damaged, that line is quoted by the error resume refuses with: an error escaping the command.
    writeFileSync(journal, readFileSync(journal, 'utf8').replace('Look at the deploy.', 'Look at the deplox.'));
    const refused = await releaseChild(['resume', runId, '--json'], { cwd: dir, env });
    expect(refused.code, refused.stderr).toBe(7);
    expect(refused.stderr).toContain('CONFIG_TOKEN=***');
    expect(ndjson(refused.stdout).find((e) => e.type === 'error')).toMatchObject({ kind: 'needs-human', details: [expect.stringContaining('CONFIG_TOKEN=***')] });
    const [damagedLog, repair] = await Promise.all([release(['log', runId], { cwd: dir, env }), release(['repair', runId], { cwd: dir, env })]);
    expect(damagedLog.stdout).toContain('DAMAGED at line');
    expect(repair.stdout).toContain('the line held:');
    for (const output of [refused.stdout, refused.stderr, damagedLog.stdout, damagedLog.stderr, repair.stdout, repair.stderr]) expect(output).not.toContain('q7!');
  });
});
