/** The hotfix playbook (issue 9 item 2): its own version, checked and published on the hotfix schedule. */
import { describe, expect, it } from 'vitest';
import { CONFIG_TEMPLATE } from '../../src/playbook/config-template.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { testdir } from '../helpers/testdir.js';
import { onlyRun, readEvents, readWorld } from '../helpers/world.js';

const versions = (dir: string) => {
  const config = readWorld(dir).config as Record<string, { minimum_version?: string; latest_version?: string }>;
  return { ios: config.ios, android: config.android };
};

describe('release flip hotfix --sandbox', () => {
  it('checks and publishes the hotfix version on the hotfix schedule, then raises minimum_version when asked', async () => {
    const dir = testdir();
    const result = await release(['flip', 'hotfix', '--sandbox', '--var', 'version=2.0.1', '--var', 'raise-min-version=true'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    // The reminders no API can act on.
    expect(result.stderr).toContain('https://developer.apple.com/contact/app-store/?topic=expedite');
    expect(result.stderr).toContain('A held, approved version blocks new App Store versions');
    const world = readWorld(dir);
    // The stores were checked and published for 2.0.1, not the config's 2.0.0.
    expect(world.effects.filter((e) => e.op === 'store.publish').map((e) => `${e.platform} ${e.version}`)).toEqual(['ios 2.0.1', 'android 2.0.1']);
    // Hotfix schedule: Play submitted at 10%, then 50%, then complete; the App Store phased release completes.
    expect(world.stores.android!.stagedFraction).toBe(0.1);
    expect(world.effects.filter((e) => e.op.startsWith('store.') && e.op !== 'store.publish').map((e) => `${e.platform} ${e.op}${e.fraction ? ` ${e.fraction}` : ''}`)).toEqual([
      'android store.rollout 0.5',
      'ios store.complete',
      'android store.complete',
    ]);
    const holds = readEvents(dir).flatMap((e) => (e.type === 'gate.opened' && e.gate.startsWith('rollout-hold') ? [e.title] : []));
    expect(holds).toEqual([expect.stringMatching(/^hold at 10% until/), expect.stringMatching(/^hold at 50% until/)]);
    expect(versions(dir)).toEqual({ ios: { minimum_version: '2.0.1', latest_version: '2.0.1' }, android: { minimum_version: '2.0.1', latest_version: '2.0.1' } });
    // Resume rebuilds the same release: the journal holds the hotfix version.
    const created = readEvents(dir).find((e) => e.type === 'run.created')!;
    expect((created as unknown as { release: { config: { app: { version: string } } } }).release.config.app.version).toBe('2.0.1');
  });

  it('without raise-min-version only latest_version moves, and maintenance left on goes off', async () => {
    const dir = testdir({ 'release.config.yaml': CONFIG_TEMPLATE.replace('maintenance_mode: false', 'maintenance_mode: true') });
    const result = await release(['flip', 'hotfix', '--sandbox', '--var', 'version=2.0.1'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(versions(dir)).toEqual({ ios: { minimum_version: '1.3.0', latest_version: '2.0.1' }, android: { minimum_version: '1.3.0', latest_version: '2.0.1' } });
    expect(readWorld(dir).config.maintenance_mode).toBe(false);
    expect(onlyRun(dir)).toBeTruthy();
  });

  it('refuses a hotfix version that is not a version (exit 2), before any run', async () => {
    const dir = testdir();
    const result = await release(['flip', 'hotfix', '--sandbox', '--var', 'version=2.0'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('version must be a semantic version');
  });
});
