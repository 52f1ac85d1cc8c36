/**
 * `release doctor` notices what would only fail mid-flip: a config token that reads but may not
 * write (HTTP: a conditional write that cannot match; Firebase: the validate-only publish), a
 * Slack webhook variable that is not set, and a Google service-account key that is damaged or
 * refused — named as a key problem, not the network. The spawned CLI against the project's
 * emulators on 127.0.0.1; nothing is written, published or posted.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { release as releaseChild } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { exampleProject } from '../helpers/example-project.js';
import { started } from '../helpers/servers.js';
import { ConfigServer, SEED_DOCUMENT } from '../emulators/config-server.js';
import { FirebaseRemoteConfigEmulator } from '../emulators/firebase-remote-config.js';
import { GooglePlayEmulator } from '../emulators/google-play.js';
import { TestServer } from '../emulators/http.js';


describe('release doctor', () => {
  it('HTTP config: a token that may write passes without writing; a read-only one is named; so is a missing Slack variable', async () => {
    const config = await started(new ConfigServer(SEED_DOCUMENT));
    config.token = 'writer-token';
    config.readOnlyToken = 'reader-token';
    const slack = await started(new TestServer());
    const dir = exampleProject(`remoteConfig:
  provider: http
  url: ${config.url}
  headers: { Authorization: "Bearer \${CONFIG_TOKEN}" }
notify:
  slack: { webhook: { env: SLACK_WEBHOOK_URL } }`);

    const ok = await release(['doctor'], { cwd: dir, env: { CONFIG_TOKEN: 'writer-token', SLACK_WEBHOOK_URL: `${slack.url}/hook` } });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`✔ config write: the credentials may write (a PUT to ${config.url} with an If-Match that cannot match got 412; nothing was written)`);
    expect(ok.stdout).toContain('✔ Slack: the webhook in env var SLACK_WEBHOOK_URL is set (nothing posted)');
    expect(config.doc).toEqual(SEED_DOCUMENT);
    expect(config.history).toHaveLength(1);
    expect(config.server.calls.filter((c) => c.method !== 'GET')).toEqual([expect.objectContaining({ method: 'PUT', status: 412 })]);
    expect(slack.calls).toEqual([]);

    const readOnly = await release(['doctor'], { cwd: dir, env: { CONFIG_TOKEN: 'reader-token' } });
    expect(readOnly.code).toBe(2);
    expect(readOnly.stdout).toContain('✔ remote config:');
    expect(readOnly.stdout).toContain('✖ config write: the credentials can read but not write: a PUT to');
    expect(readOnly.stdout).toContain('HTTP 403');
    expect(readOnly.stdout).toContain('✖ Slack: Slack webhook (notify.slack.webhook): env var SLACK_WEBHOOK_URL is not set (or empty); without it no run posts to Slack');

    const noUrl = await release(['doctor'], { cwd: dir, env: { CONFIG_TOKEN: 'writer-token', SLACK_WEBHOOK_URL: 'hooks.slack.com/services/T0/B0/x' } });
    expect(noUrl.stdout).toContain('✖ Slack: env var SLACK_WEBHOOK_URL does not hold a URL');
    expect(config.doc).toEqual(SEED_DOCUMENT);
  });

  it('HTTP config with PATCH: the probe is an empty merge patch', async () => {
    const config = await started(new ConfigServer(SEED_DOCUMENT));
    config.token = 'writer-token';
    const dir = exampleProject(`remoteConfig:
  provider: http
  url: ${config.url}
  method: PATCH
  headers: { Authorization: "Bearer \${CONFIG_TOKEN}" }`);
    const bad = await release(['doctor'], { cwd: dir, env: { CONFIG_TOKEN: 'stale-token' } });
    expect(bad.stdout).toContain('✖ config write: the credentials can read but not write: a PATCH to');
    expect(bad.stdout).toContain('HTTP 401');
    const ok = await release(['doctor'], { cwd: dir, env: { CONFIG_TOKEN: 'writer-token' } });
    expect(ok.stdout).toContain('✔ config write: the credentials may write (a PATCH to');
    expect(config.history).toHaveLength(1);
  });

  it('Firebase: the template is validated, never published; credentials that may only read are named', async () => {
    const firebase = await started(
      new FirebaseRemoteConfigEmulator({
        maintenance_mode: { defaultValue: { value: 'false' }, valueType: 'BOOLEAN' },
        ios_minimum_version: { defaultValue: { value: '1.3.0' }, valueType: 'STRING' },
        ios_latest_version: { defaultValue: { value: '1.4.2' }, valueType: 'STRING' },
        android_minimum_version: { defaultValue: { value: '1.3.0' }, valueType: 'STRING' },
        android_latest_version: { defaultValue: { value: '1.4.2' }, valueType: 'STRING' },
      }),
    );
    const dir = exampleProject(`remoteConfig:
  provider: firebase
  projectId: ${firebase.projectId}
  credentials: { accessToken: { env: FIREBASE_TOKEN } }
  baseUrl: ${firebase.server.url}`);

    // Processes of their own: firebase-admin reads its endpoint once per process, when it loads.
    const editor = await releaseChild(['doctor'], { cwd: dir, env: { FIREBASE_TOKEN: firebase.token } });
    expect(editor.code, editor.stdout + editor.stderr).toBe(0);
    expect(editor.stdout).toContain('✔ config write: the credentials may publish (the template validated, nothing published)');
    expect(firebase.server.calls.filter((c) => c.method === 'PUT')).toEqual([expect.objectContaining({ status: 200, query: '?validate_only=true' })]);

    const viewer = await releaseChild(['doctor'], { cwd: dir, env: { FIREBASE_TOKEN: firebase.readOnlyToken } });
    expect(viewer.code).toBe(2);
    expect(viewer.stdout).toContain('✔ remote config: Firebase Remote Config of example-shop: template version 1');
    expect(viewer.stdout).toMatch(/✖ config write: the credentials can read but not publish: .*validateTemplate failed: .*permission.*Firebase Remote Config Admin/);
    expect(firebase.published).toEqual([]);
    expect(firebase.versionNumber).toBe(1);
  });

  it('Google Play: a damaged key and a key Google refuses are named as key problems, not the network', async () => {
    const play = await started(new GooglePlayEmulator());
    play.seed();
    const dir = exampleProject(`stores:
  android:
    provider: google-play
    credentials: { serviceAccountKey: { env: PLAY_KEY } }
    apiRoot: ${play.server.url}/`);
    const doctor = (key: object) => release(['doctor'], { cwd: dir, env: { PLAY_KEY: JSON.stringify(key), RELEASE_PLAY_TOKEN_URL: `${play.server.url}/token` } });

    const good = await doctor(play.serviceAccount);
    expect(good.stdout).toContain('✔ Google Play: the service-account key reaches com.example.shop');

    const began = Date.now();
    const damaged = await doctor({ ...play.serviceAccount, private_key: play.serviceAccount.private_key.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!') });
    expect(damaged.code).toBe(2);
    expect(damaged.stdout).toContain('✖ Google Play: the private_key of the Google Play service-account key is not a readable PEM private key');
    expect(Date.now() - began).toBeLessThan(5_000); // not retried as if the network were down

    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const refused = await doctor({ ...play.serviceAccount, private_key: other });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('invalid_grant');
    expect(refused.stdout).toContain('Google refused the service-account key');
    for (const result of [damaged, refused]) expect(result.stdout).not.toMatch(/network|Play Console/);

    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect((await doctor({ ...play.serviceAccount, private_key: ec })).stdout).toContain('is an ec key, not RSA');
  });
});
