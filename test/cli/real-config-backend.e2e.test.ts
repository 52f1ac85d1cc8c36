/**
 * Scenario B through the CLI with the real remote-config providers (an HTTP `/config` with ETags
 * behind a caching proxy, Firebase Remote Config through firebase-admin) and the command backend
 * (real deploy and rollback scripts as child processes, a real health URL). Stores and testers
 * are the sandbox's.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, type TestContext } from 'vitest';
import { ndjson, release as releaseChild, startRelease } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { eventually } from '../helpers/eventually.js';
import { BackendServer } from '../emulators/backend-server.js';
import { CachingProxy, ConfigServer, SEED_DOCUMENT } from '../emulators/config-server.js';
import { FirebaseRemoteConfigEmulator } from '../emulators/firebase-remote-config.js';
import { TestServer } from '../emulators/http.js';
import { started } from '../helpers/servers.js';
import { testdir } from '../helpers/testdir.js';
import { onlyRun, readEvents } from '../helpers/world.js';

const DEPLOY = fileURLToPath(new URL('../fixtures/deploy.mjs', import.meta.url));
const SHIPPED = fileURLToPath(new URL('../../playbooks/scenario-b.yaml', import.meta.url));

const INITIAL = SEED_DOCUMENT;
const FLIPPED = { ...INITIAL, android: { latest_version: '2.0.0', minimum_version: '2.0.0' }, ios: { latest_version: '2.0.0', minimum_version: '2.0.0' } };

interface Options {
  deployEnv?: Record<string, string>;
  deployTimeout?: string;
  signoff?: string;
  remoteConfig?: string;
  /** Replaces the command backend section (indented body lines). */
  backend?: (servers: { backend: BackendServer }) => string;
  notify?: string;
  proxyTtlMs?: number;
}

/** The test's own servers and project, stopped and removed when it ends (the tests run concurrently: much of their time is caches, deploys and timeouts running out). */
async function project({ onTestFinished }: TestContext, opts: Options = {}) {
  const config = await started(new ConfigServer(INITIAL), onTestFinished);
  config.token = 'cfg-secret-token';
  const proxy = await started(new CachingProxy(() => config.url, opts.proxyTtlMs ?? 0), onTestFinished);
  const backend = await started(new BackendServer('1.4.2'), onTestFinished);
  // Faster polls, and one deploy attempt: the tests look at what a single failure does.
  const playbook = readFileSync(SHIPPED, 'utf8').replace(/poll-interval: 5m/, 'poll-interval: 200ms').replace(/retry: \{ attempts: 2, delay: 10s \}/, 'retry: { attempts: 1 }');
  const deployEnv = Object.entries(opts.deployEnv ?? {}).map(([k, v]) => `${k}: "${v}"`).join(', ');
  const dir = testdir(
    {
    'playbooks/scenario-b.yaml': playbook,
    'release.config.yaml': `app:
  name: Example Shop
  version: 2.0.0
  ios: { bundleId: com.example.shop }
  android: { package: com.example.shop }
remoteConfig:
${
  opts.remoteConfig ??
  `  provider: http
  url: ${config.url}
  headers: { Authorization: "Bearer \${CONFIG_TOKEN}" }
  publicUrl: ${proxy.url}
  propagationTimeout: 20s`
}
backend:
${
  opts.backend?.({ backend }) ??
  `  provider: command
  deploy: { run: [node, ${DEPLOY}, deploy], timeout: ${opts.deployTimeout ?? '20s'}, env: { ${deployEnv} } }
  rollback: { run: [node, ${DEPLOY}, rollback], timeout: 20s }`
}
  health: { url: ${backend.healthUrl}, versionPath: build.version }
  waitForVersion: 10s
signoff:
${opts.signoff ?? '  provider: sandbox'}
${opts.notify ? `notify:\n${opts.notify}\n` : ''}sandbox: { liveVersion: 1.4.2, backendVersion: 1.4.2 }
`,
    },
    onTestFinished,
  );
  const env = { CONFIG_TOKEN: config.token, BACKEND_ADMIN: backend.server.url };
  return { dir, config, proxy, backend, env };
}

describe.concurrent('remote config and backend providers, end to end', () => {
  it('Scenario B with an HTTP config behind a 2 s cache and a command backend: only our keys change, the deploy waits for the wall', async (ctx) => {
    const { dir, config, proxy, backend, env } = await project(ctx, { proxyTtlMs: 2000 });
    // The apps keep the CDN warm: at the moment of our write it holds the old document.
    config.beforeWrite = (n) => n === 1 && proxy.hold(structuredClone(config.doc));
    const result = await release(['flip', '--yes', '--json'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);

    expect(config.doc).toEqual(FLIPPED);
    expect(backend.deploys).toEqual([expect.objectContaining({ version: '2.0.0', via: 'deploy' })]);
    // The breaking backend went out only once the apps' copy (through the cache) showed the wall.
    const wallSeen = proxy.served.find((s) => (s.body as { maintenance_mode: boolean }).maintenance_mode === true);
    expect(wallSeen).toBeDefined();
    expect(wallSeen!.at).toBeLessThanOrEqual(backend.deploys[0]!.at);
    const events = ndjson(result.stdout);
    const entered = events.find((e) => e.type === 'step.succeeded' && e.step === 'enter-maintenance') as unknown as { output: { propagationMs: number } };
    expect(entered.output.propagationMs).toBeGreaterThan(1500);
    expect(events.some((e) => e.type === 'step.progress' && String(e.message).includes('still serves the old values'))).toBe(true);

    const report = await release(['report', onlyRun(dir)], { cwd: dir, env });
    expect(report.stdout).toMatch(/enter-maintenance .*waited .* for .*config to show the new values/);
    // The deploy's own output is kept in the run's log.
    expect(readFileSync(join(dir, '.release', 'runs', onlyRun(dir), 'logs', 'backend-deploy.log'), 'utf8')).toContain('deploy: 1.4.2 -> 2.0.0');
    // The config token is referenced, never written down.
    expect(readFileSync(join(dir, '.release', 'runs', onlyRun(dir), 'journal.ndjson'), 'utf8')).not.toContain(config.token);
  });

  it('a config endpoint without ETags still works (read-verify-write), and the run says what that risks', async (ctx) => {
    const { dir, config, env } = await project(ctx);
    config.etags = false;
    const result = await release(['flip', '--yes'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('enter-maintenance: warning: the config endpoint sends no ETag');
    expect(config.doc).toEqual(FLIPPED);
  });

  it('a colleague\'s edit of another key is kept, across a 412', async (ctx) => {
    const { dir, config, env } = await project(ctx);
    config.beforeWrite = (n) => n === 2 && config.edit((d) => ((d.feature_flags as Record<string, boolean>).show_revamped_banner = true));
    const result = await release(['flip', '--yes'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect(config.server.calls.filter((c) => c.status === 412)).toHaveLength(1);
    expect(config.doc).toEqual({ ...FLIPPED, feature_flags: { enable_new_registration_flow: true, show_revamped_banner: true } });
  });

  it('a colleague\'s edit of one of our keys stops the run with the diff, and is never overwritten', async (ctx) => {
    const { dir, config, env } = await project(ctx);
    config.afterWrite = (n) => n === 1 && setTimeout(() => config.edit((d) => ((d.ios as Record<string, string>).minimum_version = '1.5.0')), 0);
    const result = await release(['flip', '--yes'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(7); // after publishing: forward only
    expect(result.stderr).toContain('someone else changed ios.minimum_version meanwhile: it is "1.5.0", this run left it at "1.3.0"');
    expect((config.doc.ios as Record<string, string>).minimum_version).toBe('1.5.0');
    expect(config.doc.maintenance_mode).toBe(true); // the wall stays up
  });

  it('a failing smoke test rejects the sign-off; the rollback runs the rollback command and restores only our keys', async (ctx) => {
    const { dir, config, backend, env } = await project(ctx, { signoff: `  provider: human\n  smoke: { run: [node, -e, "console.log('checking login'); process.exit(3)"], timeout: 10s }` });
    config.afterWrite = (n) => n === 1 && config.edit((d) => (d.support_url = 'https://example.com/status'));
    const result = await release(['flip', '--yes'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain('internal sign-off rejected by smoke test');
    expect(result.stderr).toContain('checking login');
    expect(backend.deploys.map((d) => d.via)).toEqual(['deploy', 'rollback']);
    expect(backend.version).toBe('1.4.2');
    expect(config.doc).toEqual({ ...INITIAL, support_url: 'https://example.com/status' });
  });

  it('a deploy that fails after switching is rolled back by the rollback command (exit 3), with its last lines shown', async (ctx) => {
    const { dir, config, backend, env } = await project(ctx, { deployEnv: { DEPLOY_EXIT: '1', DEPLOY_SWITCH_FIRST: '1' } });
    const result = await release(['flip', '--yes'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain('failed with exit code 1');
    expect(result.stderr).toContain('migration 0042 failed');
    expect(backend.deploys.map((d) => d.via)).toEqual(['deploy', 'rollback']);
    expect(backend.version).toBe('1.4.2');
    expect(config.doc).toEqual(INITIAL);
  });

  it('a deploy that hangs is stopped at its timeout and rolled back', async (ctx) => {
    const { dir, config, env } = await project(ctx, { deployEnv: { DEPLOY_HANG: '1' }, deployTimeout: '2s' });
    const began = Date.now();
    const result = await release(['flip', '--yes'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(3);
    expect(Date.now() - began).toBeLessThan(20_000);
    expect(result.stderr).toContain('did not finish within 2s and was stopped');
    expect(config.doc).toEqual(INITIAL);
  });

  it('kill -9 of the CLI during a deploy, then resume: the deploy is not run again once the new version serves', async (ctx) => {
    const { dir, config, backend, env } = await project(ctx, { deployEnv: { DEPLOY_DELAY_MS: '2500' } });
    const child = startRelease(['flip', '--yes', '--json'], { cwd: dir, env });
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stdout?.on('data', (c: Buffer) => {
        seen += c.toString();
        if (seen.includes('"type":"step.started","step":"deploy-backend"')) resolve();
      });
    });
    const runId = onlyRun(dir);
    // Killed once the deploy process runs (it announces its pid), well inside its 2.5 s.
    await eventually(() => pidIn(join(dir, '.release', 'runs', runId, 'logs', 'backend-deploy.pid')) !== undefined, 'the deploy to start');
    child.kill('SIGKILL');
    await child;
    expect(pidIn(join(dir, '.release', 'runs', runId, 'logs', 'backend-deploy.pid'))).toBeTypeOf('number');

    const resumed = await release(['resume', '--yes', runId], { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(backend.deploys.filter((d) => d.via === 'deploy')).toHaveLength(1);
    expect(readEvents(dir).find((e) => e.type === 'step.succeeded' && e.step === 'deploy-backend')).toMatchObject({ settledBy: 'verify' });
    expect(config.doc).toEqual(FLIPPED);
  });

  it('Scenario B with Firebase Remote Config through firebase-admin: only our parameters change, conditions untouched', async (ctx) => {
    const firebase = await started(
      new FirebaseRemoteConfigEmulator({
        maintenance_mode: { defaultValue: { value: 'false' }, valueType: 'BOOLEAN' },
        ios_minimum_version: { defaultValue: { value: '1.3.0' }, valueType: 'STRING', conditionalValues: { beta_testers: { value: '2.0.0' } } },
        ios_latest_version: { defaultValue: { value: '1.4.2' }, valueType: 'STRING' },
        android_minimum_version: { defaultValue: { value: '1.3.0' }, valueType: 'STRING' },
        android_latest_version: { defaultValue: { value: '1.4.2' }, valueType: 'STRING' },
        enable_new_registration_flow: { defaultValue: { value: 'true' }, valueType: 'BOOLEAN', description: 'kill switch' },
      }),
      ctx.onTestFinished,
    );
    const { dir, env } = await project(ctx, {
      remoteConfig: `  provider: firebase\n  projectId: ${firebase.projectId}\n  credentials: { accessToken: { env: FIREBASE_TOKEN } }\n  baseUrl: ${firebase.server.url}`,
    });
    // A process of its own: firebase-admin reads its endpoint once per process, when it loads.
    const result = await releaseChild(['flip', '--yes', '--json'], { cwd: dir, env: { ...env, FIREBASE_TOKEN: firebase.token } });
    expect(result.code, result.stderr).toBe(0);
    const p = firebase.template.parameters;
    expect(p.maintenance_mode).toEqual({ defaultValue: { value: 'false' }, valueType: 'BOOLEAN' });
    expect(p.ios_minimum_version).toEqual({ defaultValue: { value: '2.0.0' }, valueType: 'STRING', conditionalValues: { beta_testers: { value: '2.0.0' } } });
    expect(p.android_latest_version).toEqual({ defaultValue: { value: '2.0.0' }, valueType: 'STRING' });
    expect(p.enable_new_registration_flow).toEqual({ defaultValue: { value: 'true' }, valueType: 'BOOLEAN', description: 'kill switch' });
    expect(firebase.template.conditions).toHaveLength(1);
    // Each write's template version is journaled.
    const details = readEvents(dir).flatMap((e) => (e.type === 'step.succeeded' && e.output?.detail ? [String(e.output.detail)] : []));
    expect(details).toEqual(['template version 2', 'template version 3']);
  });

  it('Ctrl-C during a deploy stops the deploy process and exits 130; resume finishes', async (ctx) => {
    const hold = join(testdir({ 'hold': 'the deploy waits while this file exists' }, ctx.onTestFinished), 'hold');
    const { dir, backend, env } = await project(ctx, { deployEnv: { DEPLOY_HANG_FILE: hold }, deployTimeout: '60s' });
    const child = startRelease(['flip', '--yes', '--json'], { cwd: dir, env });
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stdout?.on('data', (c: Buffer) => {
        seen += c.toString();
        if (seen.includes('"type":"step.started","step":"deploy-backend"')) resolve();
      });
    });
    const pidFile = join(dir, '.release', 'runs', onlyRun(dir), 'logs', 'backend-deploy.pid');
    await eventually(() => pidIn(pidFile) !== undefined, 'the deploy to start');
    const deployPid = pidIn(pidFile)!;
    child.kill('SIGINT');
    const stopped = await child;
    expect(stopped.exitCode).toBe(130);
    expect(() => process.kill(deployPid, 0)).toThrow(); // the deploy child is gone
    expect(backend.deploys).toEqual([]);

    rmSync(hold);
    const resumed = await release(['resume', '--yes', onlyRun(dir)], { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(backend.deploys).toEqual([expect.objectContaining({ version: '2.0.0', via: 'deploy' })]);
  });

  it('a webhook backend deploys through HTTP, and Slack hears about gates and the end', async (ctx) => {
    const slack = await started(new TestServer(), ctx.onTestFinished);
    const messages: string[] = [];
    slack.route('POST', /^\/hook$/, (req) => (messages.push((req.body as { text: string }).text), { status: 200, body: 'ok' }));
    const { dir, backend, env } = await project(ctx, {
      backend: ({ backend: b }) => `  provider: webhook
  deploy: { url: "${b.server.url}/admin/version", body: { version: "{version}", via: webhook } }
  rollback: { url: "${b.server.url}/admin/version", body: { version: "{version}", via: webhook-rollback } }`,
      notify: '  slack: { webhook: { env: SLACK_WEBHOOK_URL } }',
    });
    const slackEnv = { ...env, SLACK_WEBHOOK_URL: `${slack.url}/hook` };
    const first = await release(['flip', '--yes', '--sandbox-gates', 'manual'], { cwd: dir, env: slackEnv });
    expect(first.code, first.stderr).toBe(10);
    const runId = onlyRun(dir);
    expect(messages.join('\n')).toContain(`run ${runId} waits at *internal-signoff*`);
    expect(messages.join('\n')).toContain(`To continue: \`release signoff ${runId} --gate internal-signoff --approve`);
    for (let round = 0; round < 3; round++) {
      if ((await release(['signoff', runId, '--approve', '--by', 'qa'], { cwd: dir, env: slackEnv })).code !== 0) break;
      const resumed = await release(['resume', '--yes', runId], { cwd: dir, env: slackEnv });
      if (resumed.code === 0) break;
    }
    expect(backend.deploys).toEqual([expect.objectContaining({ version: '2.0.0', via: 'webhook' })]);
    expect(messages.at(-1)).toContain(`run ${runId}: scenario-b completed.`);
    expect(messages.join('\n')).not.toContain(slack.url); // the webhook URL is a secret
  });

  it('release doctor checks the config (and that it may be written, without writing), the public URL and the backend health', async (ctx) => {
    const { dir, config, backend, env } = await project(ctx);
    const ok = await release(['doctor'], { cwd: dir, env });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`✔ remote config: ${config.url} answers a JSON document with an ETag`);
    expect(ok.stdout).toContain('✔ public config:');
    expect(ok.stdout).toContain('✔ backend: the backend (');
    expect(ok.stdout).toContain('serves 1.4.2');
    // The only write is the permission probe, whose If-Match cannot match (412): nothing changed.
    expect([...config.server.calls, ...backend.server.calls].filter((c) => c.method !== 'GET')).toEqual([expect.objectContaining({ method: 'PUT', status: 412 })]);
    expect(config.doc).toEqual(INITIAL);

    const bad = await release(['doctor'], { cwd: dir, env: { BACKEND_ADMIN: env.BACKEND_ADMIN } });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('✖ remote config: remoteConfig header Authorization: env var CONFIG_TOKEN is not set');
    expect(bad.stdout).toContain('✔ backend:');
  });
});

/** The pid a running deploy announced, once its file is written whole. */
function pidIn(file: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}
