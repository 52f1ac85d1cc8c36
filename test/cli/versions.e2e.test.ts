/**
 * The version being shipped is compared with the live world before anything changes: a live
 * minimum_version or latest_version is never lowered without --allow-lower-version, the flip never
 * leaves minimum above latest, each store's live version must be below the new one, and
 * app.version is strict semver. Through the spawned CLI, with the sandbox (its `sandbox.config`
 * seeds the live config), a real file config, and the real store adapters against the emulators.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { AppStoreConnectEmulator } from '../emulators/app-store-connect.js';
import { GooglePlayEmulator } from '../emulators/google-play.js';
import { testdir } from '../helpers/testdir.js';
import { onlyRun, readEvents, readWorld, runIds } from '../helpers/world.js';

const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((stop) => stop()));
});

/** The live config of the issue: someone already forces iOS users to 2.5.0; we ship 2.0.0. */
const RAISED = {
  ios: { minimum_version: '2.5.0', latest_version: '2.5.0' },
  android: { minimum_version: '1.3.0', latest_version: '1.4.2' },
  maintenance_mode: false,
  feature_flags: {},
};

function config(opts: { version?: string; remoteConfig?: string; sandbox?: string } = {}): string {
  return `app:
  name: Example Shop
  version: ${opts.version ?? '2.0.0'}
  ios: { bundleId: com.example.shop }
  android: { package: com.example.shop }
${opts.remoteConfig ?? ''}sandbox:
${opts.sandbox ?? `  liveVersion: 1.4.2\n  config: ${JSON.stringify(RAISED)}`}
`;
}

/** The one line that must name the key, the live number and the shipped one. */
const LOWERS_IOS_MINIMUM = /shipping 2\.0\.0 would lower live versions \(ios\.minimum_version 2\.5\.0 -> 2\.0\.0, ios\.latest_version 2\.5\.0 -> 2\.0\.0\): ship a version above 2\.5\.0/;

describe('the release against the live versions', () => {
  it('sandbox: plan, flip and doctor exit 2 naming both numbers; nothing is written and no lock is kept', async () => {
    const dir = testdir({ 'release.config.yaml': config() });

    const plan = await release(['plan'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stderr).toMatch(LOWERS_IOS_MINIMUM);
    expect(plan.stderr).toContain('--allow-lower-version');

    const doctor = await release(['doctor'], { cwd: dir });
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(2);
    expect(doctor.stdout).toMatch(new RegExp(`✖ versions: ${LOWERS_IOS_MINIMUM.source}`));

    const flip = await release(['flip'], { cwd: dir });
    expect(flip.code, flip.stderr).toBe(2);
    expect(flip.stderr).toMatch(LOWERS_IOS_MINIMUM);
    const runId = runIds(dir).find((id) => readEvents(dir, id).some((e) => e.type === 'run.created' && !e.dryRun))!;
    const world = readWorld(dir, runId);
    expect(world.effects).toEqual([]);
    expect(world.config).toEqual(RAISED);
    // The refused run ended and let go of the lock: the next flip is refused the same way, not locked out (5).
    expect((await release(['flip'], { cwd: dir })).code).toBe(2);
  });

  it('--allow-lower-version lowers it on purpose, and the journal says so', async () => {
    const dir = testdir({ 'release.config.yaml': config() });
    const plan = await release(['plan', '--allow-lower-version'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toContain('ios.minimum_version goes down from 2.5.0 to 2.0.0 (allowed by --allow-lower-version)');

    const dir2 = testdir({ 'release.config.yaml': config() });
    const flip = await release(['flip', '--allow-lower-version'], { cwd: dir2 });
    expect(flip.code, flip.stderr).toBe(0);
    expect(readWorld(dir2).config).toMatchObject({ ios: { minimum_version: '2.0.0', latest_version: '2.0.0' } });
    const first = readEvents(dir2).find((e) => e.type === 'step.started' && e.step === 'verify-manual-publishing');
    expect(JSON.stringify(first)).toContain('allowed by --allow-lower-version');
  });

  it('a real file config: plan and flip exit 2 naming both numbers; the file is untouched', async () => {
    const live = JSON.stringify(RAISED, null, 2) + '\n';
    const dir = testdir({ 'live-config.json': live, 'release.config.yaml': config({ remoteConfig: 'remoteConfig: { provider: file, path: live-config.json }\n' }) });

    const plan = await release(['plan'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stderr).toMatch(LOWERS_IOS_MINIMUM);

    const flip = await release(['flip'], { cwd: dir });
    expect(flip.code, flip.stderr).toBe(2);
    expect(flip.stderr).toMatch(LOWERS_IOS_MINIMUM);
    expect(readFileSync(join(dir, 'live-config.json'), 'utf8')).toBe(live);

    const doctor = await release(['doctor'], { cwd: dir });
    expect(doctor.code).toBe(2);
    expect(doctor.stdout).toMatch(LOWERS_IOS_MINIMUM);
  });

  it('a store whose live version is not below the new one stops the flip, even with --allow-lower-version', async () => {
    const sandbox = `  liveVersion: 2.5.0\n  config: ${JSON.stringify({ ...RAISED, ios: { minimum_version: '1.3.0', latest_version: '1.4.2' } })}`;
    const dir = testdir({ 'release.config.yaml': config({ sandbox }) });
    const flip = await release(['flip', '--allow-lower-version'], { cwd: dir });
    expect(flip.code, flip.stderr).toBe(2);
    expect(flip.stderr).toMatch(/App Store \(sandbox\): 2\.5\.0 is live; the new version 2\.0\.0 must be above it/);
    expect(readWorld(dir).effects).toEqual([]);
  });

  it('the green case: doctor shows what it compared', async () => {
    const dir = testdir({ 'release.config.yaml': config({ sandbox: '  liveVersion: 1.4.2' }) });
    const doctor = await release(['doctor'], { cwd: dir });
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
    expect(doctor.stdout).toMatch(/✔ versions: nothing live is above 2\.0\.0: ios\.minimum_version 1\.4\.2, ios\.latest_version 1\.4\.2, .*App Store \(sandbox\) 1\.4\.2/);
  });

  it('a write that would leave minimum_version above latest_version is refused (exit 2 in a plan)', async () => {
    const dir = testdir({
      'release.config.yaml': config({ sandbox: '  liveVersion: 1.4.2' }),
      'min-only.yaml': 'name: min-only\nsteps:\n  - id: raise\n    uses: config/raise-versions\n    with: { latest: false, maintenance: unchanged }\n',
    });
    const plan = await release(['plan', 'min-only.yaml'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stderr).toContain('ios.minimum_version would be 2.0.0, above ios.latest_version 1.4.2');
  });

  it('Scenario A: the plan exits 2; a run stops before its write, and resume --allow-lower-version finishes it', async () => {
    const dir = testdir({ 'release.config.yaml': config() });
    const plan = await release(['plan', 'scenario-a'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stderr).toMatch(LOWERS_IOS_MINIMUM);

    const dir2 = testdir({ 'release.config.yaml': config() });
    const flip = await release(['flip', 'scenario-a'], { cwd: dir2 });
    expect(flip.code, flip.stderr).toBe(7); // published already: forward only
    expect(flip.stderr).toMatch(LOWERS_IOS_MINIMUM);
    expect(readWorld(dir2).config).toEqual(RAISED);
    const resumed = await release(['resume', onlyRun(dir2), '--allow-lower-version'], { cwd: dir2 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readWorld(dir2).config).toMatchObject({ ios: { minimum_version: '2.0.0' } });
  });

  it('real stores: a higher version live on the App Store or Google Play stops the plan (exit 2)', async () => {
    const asc = new AppStoreConnectEmulator();
    const play = new GooglePlayEmulator();
    await Promise.all([asc.start(), play.start()]);
    running.push(() => asc.stop(), () => play.stop());
    asc.seed({ liveVersion: '2.5.0' });
    play.seed();
    play.tracks.production!.push({ name: '250 (2.5.1)', versionCodes: ['250'], status: 'completed', lifecycle: 'RELEASE_LIFECYCLE_STATE_PUBLISHED' });
    const dir = testdir({
      'AuthKey.p8': asc.privateKeyPem,
      'release.config.yaml': `app:
  name: Example Shop
  version: 2.0.0
  ios: { bundleId: ${asc.app.bundleId} }
  android: { package: ${play.packageName}, versionCode: 200 }
stores:
  ios: { provider: app-store-connect, keyId: ${asc.keyId}, issuerId: ${asc.issuerId}, privateKey: { path: AuthKey.p8 }, apiBase: ${asc.server.url} }
  android: { provider: google-play, credentials: { accessToken: { env: PLAY_TOKEN } }, apiRoot: ${play.server.url}/ }
sandbox: { liveVersion: 1.4.2 }
`,
    });
    const plan = await release(['plan'], { cwd: dir, env: { PLAY_TOKEN: play.accessToken } });
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stderr).toContain('App Store Connect: 2.5.0 is live; the new version 2.0.0 must be above it');
    expect(plan.stderr).toContain('Google Play: 2.5.1 is live; the new version 2.0.0 must be above it');
  });
});

describe('app.version is strict semver', () => {
  it.each([
    ['v2.0.0', 'write 2.0.0, without the v'],
    ['2.0', 'YAML read 2 as a number; write three numbers, e.g. 2.0.0'],
    ['"2.1"', 'write three numbers, e.g. 2.1.0'],
    ['"=2.0.0"', 'write 2.0.0'],
  ])('%s is refused by validate and flip (exit 2), saying how to write it', async (version, advice) => {
    const dir = testdir({ 'release.config.yaml': config({ version, sandbox: '  liveVersion: 1.4.2' }) });
    const validate = await release(['validate'], { cwd: dir });
    expect(validate.code).toBe(2);
    expect(validate.stderr).toMatch(/release\.config\.yaml:3:\d+: app\.version: /);
    expect(validate.stderr).toContain(advice);
    const flip = await release(['flip'], { cwd: dir });
    expect(flip.code).toBe(2);
    expect(flip.stderr).toContain(advice);
    expect(runIds(dir)).toEqual([]);
  });
});
