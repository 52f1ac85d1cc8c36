/** Compare-and-set of our keys, against the sandbox's real (file-backed) config. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActionError } from '../../src/engine/action.js';
import { parseReleaseConfig } from '../../src/playbook/release-config.js';
import { CONFIG_TEMPLATE } from '../../src/playbook/config-template.js';
import { applyKeyChanges, reverse } from '../../src/providers/config/compare-and-set.js';
import { Sandbox } from '../../src/providers/sandbox/index.js';
import { WorldFile } from '../../src/providers/sandbox/world.js';
import { testdir } from '../helpers/testdir.js';

function world() {
  const dir = testdir();
  const parsed = parseReleaseConfig('t', CONFIG_TEMPLATE);
  if (!parsed.ok) throw new Error('template');
  const sandbox = new Sandbox(dir, []);
  sandbox.seed(parsed.config, { latencyMs: 0, gates: 'auto' });
  const file = new WorldFile(join(dir, 'sandbox.json'));
  return { config: sandbox.portsFor('s', 'config/set-maintenance', 'run').config, file };
}

const ON = [{ path: 'maintenance_mode', before: false, after: true }];

describe('applyKeyChanges', () => {
  it('writes our keys and keeps everything else', async () => {
    const { config, file } = world();
    expect(await applyKeyChanges(config, ON)).toMatchObject({ status: 'written' });
    const w = file.read();
    expect(w.config).toEqual({ ...w.initialConfig, maintenance_mode: true });
  });

  it('re-applies our keys on top of a colleague\'s concurrent edit of another key', async () => {
    const { config, file } = world();
    const racing = {
      describe: config.describe,
      read: config.read.bind(config),
      async write(doc: never, opts: { ifMatch: string | null }) {
        // A colleague turns a feature flag off between our read and our write.
        file.update((w) => {
          w.config = { ...w.config, feature_flags: { ...(w.config.feature_flags as object), show_revamped_banner: true } };
          w.configVersion += 1;
        });
        racing.write = config.write.bind(config) as never;
        return config.write(doc, opts);
      },
    };
    expect(await applyKeyChanges(racing, ON)).toMatchObject({ status: 'written' });
    expect(file.read().config).toMatchObject({ maintenance_mode: true, feature_flags: { show_revamped_banner: true } });
  });

  it('never overwrites a concurrent change to one of our keys, and shows it', async () => {
    const { config, file } = world();
    file.update((w) => void (w.config = { ...w.config, ios: { latest_version: '1.4.2', minimum_version: '1.4.0' } }));
    const change = [{ path: 'ios.minimum_version', before: '1.3.0', after: '2.0.0' }];
    const error = await applyKeyChanges(config, change).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    expect((error as ActionError).message).toContain('ios.minimum_version is "1.4.0" (expected "1.3.0")');
    expect((error as ActionError).retryable).toBe(false);
    expect(file.read().config.ios).toEqual({ latest_version: '1.4.2', minimum_version: '1.4.0' });
  });

  it('is idempotent, and its reverse restores the value', async () => {
    const { config, file } = world();
    await applyKeyChanges(config, ON);
    expect(await applyKeyChanges(config, ON)).toEqual({ status: 'already' });
    await applyKeyChanges(config, reverse(ON));
    expect(file.read().config).toEqual(file.read().initialConfig);
  });

  it('refuses a write the guard forbids, writing nothing', async () => {
    const { config, file } = world();
    const error = await applyKeyChanges(config, ON, { guard: () => ['android: no wall'] }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('refusing to write the config');
    expect(file.read().effects).toEqual([]);
  });

  it('runs its precheck alongside the first read, and once only, even across races', async () => {
    const { config, file } = world();
    const seen: string[] = [];
    let prechecks = 0;
    let races = 0;
    const racing = {
      describe: config.describe,
      async read(signal?: AbortSignal) {
        seen.push('read started');
        const snap = await config.read(signal);
        seen.push('read ended');
        return snap;
      },
      async write(doc: never, opts: { ifMatch: string | null }) {
        // The first write loses a race with a colleague's edit of another key.
        if (races++ === 0) file.update((w) => void (w.configVersion += 1));
        return config.write(doc, opts);
      },
    };
    const precheck = async () => {
      prechecks++;
      seen.push('precheck started');
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen.push('precheck ended');
    };
    expect(await applyKeyChanges(racing, ON, { precheck })).toMatchObject({ status: 'written' });
    expect(prechecks).toBe(1);
    expect(seen.slice(0, 2).sort()).toEqual(['precheck started', 'read started']);
    expect(seen.filter((s) => s === 'read started')).toHaveLength(2);
    expect(file.read().config).toMatchObject({ maintenance_mode: true });
  });

  it('a failed precheck writes nothing, and its failure is the one reported', async () => {
    const { config, file } = world();
    const broken = { describe: config.describe, read: () => Promise.reject(new Error('config unreachable')), write: config.write.bind(config) };
    const precheck = () => Promise.reject(new ActionError('Android is not live yet', { retryable: false }));
    await expect(applyKeyChanges(config, ON, { precheck })).rejects.toThrow('Android is not live yet');
    await expect(applyKeyChanges(broken, ON, { precheck })).rejects.toThrow('Android is not live yet');
    expect(file.read().effects).toEqual([]);
  });
});
