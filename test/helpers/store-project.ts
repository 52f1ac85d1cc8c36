/**
 * A project whose stores are the real adapters (and their real SDKs) against local emulators of
 * App Store Connect and Google Play; config, backend and sign-off stay the sandbox's. Polling and
 * step retries are fast so a flip runs in seconds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultPromise } from 'execa';
import { AppStoreConnectEmulator } from '../emulators/app-store-connect.js';
import { GooglePlayEmulator } from '../emulators/google-play.js';
import { testdir } from './testdir.js';

const SHIPPED = fileURLToPath(new URL('../../playbooks/', import.meta.url));

export interface StoreProject {
  dir: string;
  asc: AppStoreConnectEmulator;
  play: GooglePlayEmulator;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface StoreProjectOptions {
  tokenTtl?: string;
  iosPollInterval?: string;
  androidPollInterval?: string;
  iosOnly?: boolean;
  /**
   * A concurrent test's own `onTestFinished`: the emulators are stopped and the directory removed
   * when that test ends (the caller stops them otherwise, and the directory goes with the test).
   */
  onFinished?: (fn: () => void | Promise<void>) => void;
}

export async function storeProject(opts: StoreProjectOptions = {}): Promise<StoreProject> {
  const asc = new AppStoreConnectEmulator();
  const play = new GooglePlayEmulator();
  await Promise.all([asc.start(), play.start()]);
  opts.onFinished?.(() => Promise.all([asc.stop(), play.stop()]).then(() => {}));
  // The shipped playbooks, with polls and step retries a tenth as far apart or less (a step's retry
  // after 2 s waits 200 ms): the same attempts, in seconds instead of minutes.
  const fast = (name: string) =>
    readFileSync(join(SHIPPED, `${name}.yaml`), 'utf8')
      .replace(/poll-interval: 5m/g, 'poll-interval: 300ms')
      .replace(/delay: (\d+)s\b/g, (_, s: string) => `delay: ${Number(s) * 100}ms`);
  const dir = testdir(
    {
    'AuthKey.p8': asc.privateKeyPem,
    'playbooks/scenario-b.yaml': fast('scenario-b'),
    'playbooks/scenario-a.yaml': fast('scenario-a'),
    'release.config.yaml': `app:
  name: Example Shop
  version: 2.0.0
  ios: { bundleId: ${asc.app.bundleId} }
${opts.iosOnly ? '' : `  android: { package: ${play.packageName}, versionCode: 200 }\n`}stores:
  ios:
    provider: app-store-connect
    keyId: ${asc.keyId}
    issuerId: ${asc.issuerId}
    privateKey: { path: AuthKey.p8 }
    apiBase: ${asc.server.url}
    tokenTtl: ${opts.tokenTtl ?? '15m'}
    pollInterval: ${opts.iosPollInterval ?? '100ms'}
  android:
    provider: google-play
    credentials: { accessToken: { env: PLAY_TOKEN } }
    apiRoot: ${play.server.url}/
    pollInterval: ${opts.androidPollInterval ?? '100ms'}
sandbox: { liveVersion: 1.4.2, backendVersion: 1.4.2 }
`,
    },
    opts.onFinished,
  );
  return {
    dir,
    asc,
    play,
    env: { PLAY_TOKEN: play.accessToken, RELEASE_ACTOR: 'captain-ci' },
    stop: async () => {
      await Promise.all([asc.stop(), play.stop()]);
    },
  };
}

/** Presses "Publish changes" on the Play emulator once the run opens the Play gate (after `delayMs`). */
export function pressPublishAtGate(child: ResultPromise, play: GooglePlayEmulator, delayMs = 0): Promise<number> {
  return new Promise((resolve) => {
    let pressed = false;
    for (const stream of [child.stdout, child.stderr]) {
      let buffer = '';
      stream?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        if (pressed || !(buffer.includes('"gate":"play-publish"') || buffer.includes('Gate play-publish'))) return;
        pressed = true;
        setTimeout(() => {
          play.pressPublish();
          resolve(Date.now());
        }, delayMs);
      });
    }
  });
}
