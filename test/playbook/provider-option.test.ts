/**
 * Each port's provider schema is built only when a config names that provider
 * (src/playbook/provider-option.ts), and a config is checked as before: the same data, the same
 * problems, wherever they are.
 */
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_TEMPLATE } from '../../src/playbook/config-template.js';
import { parseReleaseConfig } from '../../src/playbook/release-config.js';
import { formatProblem } from '../../src/playbook/yaml-source.js';

const BUILT_CONFIG = new URL('../../dist/playbook/release-config.js', import.meta.url).href;
/** The `provider` literal of every real (not sandbox) provider schema. */
const REAL_PROVIDERS = ['app-store-connect', 'google-play', 'http', 'firebase', 'file', 'command', 'webhook', 'human'];

/**
 * In a fresh process (the built module, as the CLI loads it): the literal values of every zod
 * schema built while loading the release-config module and parsing `text`, and whether it parsed.
 */
async function literalsBuilt(text: string): Promise<{ ok: boolean; literals: string[] }> {
  const script = `
    const literals = new Set();
    globalThis.__zod_globalConfig = { postProcessor: (schema) => { if (schema._zod.def.type === 'literal') for (const v of schema._zod.def.values) literals.add(String(v)); } };
    const { parseReleaseConfig } = await import(${JSON.stringify(BUILT_CONFIG)});
    const result = parseReleaseConfig('release.config.yaml', ${JSON.stringify(text)});
    process.stdout.write(JSON.stringify({ ok: result.ok, literals: [...literals] }));`;
  const child = await execa('node', ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  return JSON.parse(String(child.stdout)) as { ok: boolean; literals: string[] };
}

const APP = 'app: { name: Shop, version: 2.0.0, ios: { bundleId: a.b } }\n';
const problems = (text: string): string[] => {
  const result = parseReleaseConfig('c.yaml', APP + text);
  return result.ok ? [] : result.problems.map(formatProblem);
};

describe('provider schemas', () => {
  it('a config with the sandbox everywhere (as init writes it) builds no real provider schema', async () => {
    const built = await literalsBuilt(CONFIG_TEMPLATE);
    expect(built.ok).toBe(true);
    expect(built.literals).toContain('sandbox');
    expect(built.literals.filter((v) => REAL_PROVIDERS.includes(v))).toEqual([]);
  });

  it('a config that names a provider builds that provider schema, and no other', async () => {
    const built = await literalsBuilt(`${APP}remoteConfig: { provider: http, url: "https://config.example.com/doc" }\n`);
    expect(built.ok).toBe(true);
    expect(built.literals.filter((v) => REAL_PROVIDERS.includes(v))).toEqual(['http']);
  });

  it('a named provider is checked in full, with its defaults', () => {
    const ok = parseReleaseConfig('c.yaml', `${APP}remoteConfig: { provider: http, url: "https://config.example.com/doc" }\n`);
    expect(ok.ok && ok.config.remoteConfig).toEqual({
      provider: 'http',
      url: 'https://config.example.com/doc',
      method: 'PUT',
      headers: {},
      timeout: '30s',
      keys: { maintenance: 'maintenance_mode', featureFlags: 'feature_flags', ios: { minimum: 'ios.minimum_version', latest: 'ios.latest_version' }, android: { minimum: 'android.minimum_version', latest: 'android.latest_version' } },
      propagationTimeout: '5m',
    });
  });

  // The messages as they were when every provider schema was built up front (main before the change).
  it.each([
    ['remoteConfig: { provider: nope }\n', ["c.yaml:2:27: remoteConfig.provider: Invalid discriminator value. Expected 'http' | 'firebase' | 'file' | 'command' | 'sandbox'"]],
    ['backend: 5\n', ['c.yaml:2:10: backend: Invalid input: expected object, received number']],
    [
      'remoteConfig: { provider: http, timeout: soon, extra: 1 }\n',
      ['c.yaml:2:15: remoteConfig.url: Invalid input: expected string, received undefined', 'c.yaml:2:42: remoteConfig.timeout: a duration such as 30s, 15m or 2h', 'c.yaml:2:48: remoteConfig.extra: unknown field "extra"'],
    ],
    [
      'backend: { provider: command, deploy: { run: [a] }, waitForVersion: 1y }\n',
      ['c.yaml:2:10: backend.rollback: Invalid input: expected object, received undefined', 'c.yaml:2:10: backend.health: Invalid input: expected object, received undefined', 'c.yaml:2:69: backend.waitForVersion: a duration such as 30s, 15m or 2h'],
    ],
    [
      'stores: { ios: { provider: app-store-connect, keyId: "", privateKey: "secret", tokenTtl: 1h }, android: { provider: google-play, apiRoot: x } }\n',
      [
        'c.yaml:2:54: stores.ios.keyId: Too small: expected string to have >=1 characters',
        'c.yaml:2:70: stores.ios.privateKey: name the secret as { env: VAR_NAME } or { path: ./file } (never the secret itself)',
        'c.yaml:2:90: stores.ios.tokenTtl: a duration such as 15m',
        'c.yaml:2:139: stores.android.apiRoot: Invalid URL',
      ],
    ],
    ['signoff: { nope: 1 }\nstores: { ios: { provider: sandbox, x: 1 } }\n', ['c.yaml:3:37: stores.ios.x: unknown field "x"', 'c.yaml:2:12: signoff.nope: unknown field "nope"']],
  ])('%s is refused as before', (text, expected) => {
    expect(problems(text)).toEqual(expected);
  });
});
