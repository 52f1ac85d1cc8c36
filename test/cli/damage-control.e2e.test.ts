/**
 * Issue 9, item 1: one-command damage control. Each is a journaled run with a flip's guarantees:
 * only its keys change, it waits for the CDN (the barrier), who and why are on record, `rollback`
 * restores, `--dry-run` changes nothing; beside a parked flip it is not blocked, but the flip's
 * wall still binds it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CachingProxy, ConfigServer } from '../emulators/config-server.js';
import { ndjson } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { testdir } from '../helpers/testdir.js';
import { newestRun, readEvents, readWorld } from '../helpers/world.js';

const INITIAL = {
  android: { latest_version: '2.0.0', minimum_version: '1.3.0' },
  ios: { latest_version: '2.0.0', minimum_version: '1.3.0' },
  maintenance_mode: false,
  feature_flags: { enable_new_registration_flow: true, show_revamped_banner: false },
  support_url: 'https://example.com/help',
};

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

/** A real HTTP /config behind a 1 s cache; stores (2.0.1 live), backend and testers simulated. */
async function httpProject() {
  const config = new ConfigServer(INITIAL);
  await config.start();
  const proxy = new CachingProxy(() => config.url, 1000);
  await proxy.start();
  stops.push(() => config.stop(), () => proxy.stop());
  const dir = testdir({
    'release.config.yaml': `app:
  name: Example Shop
  version: 2.0.1
  ios: { bundleId: com.example.shop }
  android: { package: com.example.shop }
remoteConfig:
  provider: http
  url: ${config.url}
  publicUrl: ${proxy.url}
  propagationTimeout: 20s
sandbox: { liveVersion: 2.0.1 }
`,
  });
  return { dir, config, proxy };
}

const last = (dir: string) => newestRun(dir);

describe('damage control, one command each', () => {
  it('maintenance on: only its key, through the CDN before it returns, on record with who and why; rollback restores it', async () => {
    const { dir, config, proxy } = await httpProject();
    const on = await release(['maintenance', 'on', '--reason', 'crash on start in 2.0.0', '--by', 'captain', '--yes', '--json'], { cwd: dir });
    expect(on.code, on.stderr).toBe(0);
    expect(config.doc).toEqual({ ...INITIAL, maintenance_mode: true });
    // The barrier: the apps' view (the cache) shows it by the time the command is done.
    expect((proxy.served.at(-1)?.body as { maintenance_mode: boolean }).maintenance_mode).toBe(true);
    const events = readEvents(dir, last(dir));
    expect(events[0]).toMatchObject({ type: 'run.created', by: { who: 'captain' }, playbook: { name: 'emergency-maintenance' } });
    expect(events.find((e) => e.type === 'step.started')).toMatchObject({ plan: { notes: expect.arrayContaining(['reason: crash on start in 2.0.0']) } });
    expect(events.find((e) => e.type === 'step.succeeded')).toMatchObject({ output: { propagationMs: expect.any(Number) } });
    expect(ndjson(on.stdout).at(-1)).toMatchObject({ type: 'run.exit', status: 'succeeded' });

    config.edit((doc) => ((doc as { support_url: string }).support_url = 'https://example.com/new-help'));
    const undone = await release(['rollback', last(dir), '--yes'], { cwd: dir });
    expect(undone.code, undone.stderr).toBe(3);
    expect(config.doc).toEqual({ ...INITIAL, support_url: 'https://example.com/new-help' });
  });

  it('--dry-run shows the diff and changes nothing; without a terminal and without --yes nothing is written', async () => {
    const { dir, config } = await httpProject();
    const dry = await release(['maintenance', 'on', '--reason', 'drill', '--dry-run'], { cwd: dir });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain('maintenance_mode: false -> true');
    const unasked = await release(['maintenance', 'on', '--reason', 'drill'], { cwd: dir });
    expect(unasked.code).toBe(10);
    expect(unasked.stderr).toContain('--yes');
    expect(config.doc).toEqual(INITIAL);
    expect(config.version).toBe(1);
  });

  it('flag off: the kill switch changes that flag only; an unknown name is an error naming the known ones', async () => {
    const { dir, config } = await httpProject();
    const off = await release(['flag', 'enable_new_registration_flow', 'off', '--reason', 'signup fails', '--yes'], { cwd: dir });
    expect(off.code, off.stderr).toBe(0);
    expect(config.doc).toEqual({ ...INITIAL, feature_flags: { ...INITIAL.feature_flags, enable_new_registration_flow: false } });
    const typo = await release(['flag', 'enable_new_registraton_flow', 'off', '--reason', 'x', '--yes'], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('known: enable_new_registration_flow, show_revamped_banner');
    expect(Object.keys((config.doc as { feature_flags: object }).feature_flags)).toEqual(['enable_new_registration_flow', 'show_revamped_banner']);
  });

  it('min-version raises the floor; lowering needs --allow-lower-version; above the live store version is refused', async () => {
    const { dir, config } = await httpProject();
    const raised = await release(['min-version', '2.0.1', '--platform', 'android', '--reason', '2.0.0 corrupts carts', '--yes'], { cwd: dir });
    expect(raised.code, raised.stderr).toBe(2); // latest_version is 2.0.0: a floor above it is refused
    expect(raised.stderr).toMatch(/above android\.latest_version 2\.0\.0/);
    const ok = await release(['min-version', '2.0.0', '--platform', 'android', '--reason', '1.x corrupts carts', '--yes'], { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(config.doc).toEqual({ ...INITIAL, android: { latest_version: '2.0.0', minimum_version: '2.0.0' } });
    const lower = await release(['min-version', '1.3.0', '--reason', 'oops', '--yes'], { cwd: dir });
    expect(lower.code).toBe(2);
    expect(lower.stderr).toMatch(/android\.minimum_version is 2\.0\.0: 1\.3\.0 would lower it/);
    const meant = await release(['min-version', '1.3.0', '--platform', 'android', '--reason', 'back out', '--allow-lower-version', '--yes'], { cwd: dir });
    expect(meant.code, meant.stderr).toBe(0);
    expect(config.doc).toEqual(INITIAL);
  });

  it('a sandbox store with a lower version live refuses a floor above it', async () => {
    const dir = testdir();
    const refused = await release(['min-version', '2.0.0', '--reason', 'not yet live', '--sandbox'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/has 1\.4\.2 live: a floor of 2\.0\.0 would send users to an update they cannot get/);
  });
});

describe('beside a parked flip', () => {
  it('is not blocked by it, says so, and the flip\'s wall still binds it: maintenance off is refused while its backend is live', async () => {
    const dir = testdir();
    expect((await release(['flip', '--sandbox', '--until', 'deploy-backend'], { cwd: dir })).code).toBe(0);
    const flipRun = last(dir);
    // The flip's world is its own sandbox; this rehearsal has its own, walled as the flip is.
    const off = await release(['maintenance', 'off', '--reason', 'too early', '--sandbox'], { cwd: dir });
    expect(off.stderr).toContain(`run ${flipRun} (flip scenario-b`);
    expect(off.stderr).toContain('its breaking backend may be live');
    expect(off.code).not.toBe(0);
    expect(off.stderr).toMatch(/safety invariant: .*maintenance_mode is off and ios\.minimum_version is "1\.3\.0", below 2\.0\.0/);
    const on = await release(['maintenance', 'on', '--reason', 'belt and braces', '--sandbox'], { cwd: dir });
    expect(on.code, on.stderr).toBe(0);
    expect(readWorld(dir, last(dir)).config.maintenance_mode).toBe(true);
    // The parked flip still holds the app's lock and goes on afterwards.
    const resumed = await release(['resume', flipRun], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
  });
});
