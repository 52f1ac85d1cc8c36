/**
 * One contract for every remote-config adapter (like Terraform's backend tests): read, compare-
 * and-set writes, a stale write refused, two writers contending. Real servers, files, processes
 * and the real firebase-admin client; nothing of ours is mocked.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CONFIG_TEMPLATE } from '../../src/playbook/config-template.js';
import { parseReleaseConfig } from '../../src/playbook/release-config.js';
import { CommandRemoteConfig } from '../../src/providers/config/command.js';
import { applyKeyChanges } from '../../src/providers/config/compare-and-set.js';
import { FileRemoteConfig } from '../../src/providers/config/file.js';
import { FirebaseRemoteConfig } from '../../src/providers/config/firebase.js';
import { HttpRemoteConfig } from '../../src/providers/config/http.js';
import { VersionMismatchError, type RemoteConfigPort } from '../../src/providers/config/port.js';
import { Sandbox } from '../../src/providers/sandbox/index.js';
import { WorldFile } from '../../src/providers/sandbox/world.js';
import type { JsonObject } from '../../src/util/json-path.js';
import { ConfigServer } from '../emulators/config-server.js';
import { FirebaseRemoteConfigEmulator } from '../emulators/firebase-remote-config.js';
import { testdir } from '../helpers/testdir.js';

const INITIAL: JsonObject = { maintenance_mode: false, ios_minimum_version: '1.3.0', enable_new_registration_flow: true };
const EDIT_SCRIPT = fileURLToPath(new URL('../fixtures/config-command.mjs', import.meta.url));

interface Subject {
  port: RemoteConfigPort;
  /** A colleague changes one key, out of band. */
  colleague(key: string, value: boolean | string): Promise<void> | void;
  /** The document as stored. */
  stored(): JsonObject | Promise<JsonObject>;
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

const FIREBASE_PARAMETERS = {
  maintenance_mode: { defaultValue: { value: 'false' }, valueType: 'BOOLEAN' as const },
  ios_minimum_version: { defaultValue: { value: '1.3.0' }, valueType: 'STRING' as const, conditionalValues: { beta_testers: { value: '2.0.0-beta' } } },
  enable_new_registration_flow: { defaultValue: { value: 'true' }, valueType: 'BOOLEAN' as const },
};

/** firebase-admin reads its endpoint once per process, so this file shares one emulator. */
let firebase: Promise<FirebaseRemoteConfigEmulator> | undefined;
function sharedFirebase(): Promise<FirebaseRemoteConfigEmulator> {
  firebase ??= (async () => {
    const emulator = new FirebaseRemoteConfigEmulator(FIREBASE_PARAMETERS);
    await emulator.start();
    return emulator;
  })();
  return firebase;
}
afterAll(async () => (await firebase)?.stop());

const http = (opts: { etags: boolean; method: 'PUT' | 'PATCH' }) => async (): Promise<Subject> => {
  const server = new ConfigServer(INITIAL);
  server.etags = opts.etags;
  server.token = 's3cret-config-token';
  await server.start();
  stops.push(() => server.stop());
  const port = new HttpRemoteConfig(
    { provider: 'http', url: server.url, method: opts.method, headers: { Authorization: 'Bearer ${CONFIG_TOKEN}' }, timeout: '5s', keys: {} as never, propagationTimeout: '5s' },
    { CONFIG_TOKEN: 's3cret-config-token' },
  );
  return { port, colleague: (k, v) => server.edit((d) => (d[k] = v)), stored: () => server.doc as JsonObject };
};

const SUBJECTS: Record<string, () => Promise<Subject>> = {
  'http with ETags': http({ etags: true, method: 'PUT' }),
  'http without ETags (read-verify-write)': http({ etags: false, method: 'PUT' }),
  'http with PATCH (merge patch)': http({ etags: true, method: 'PATCH' }),
  async file() {
    const dir = testdir({ 'config.json': JSON.stringify(INITIAL) });
    const path = join(dir, 'config.json');
    const edit = (k: string, v: unknown) => writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), [k]: v }));
    return { port: new FileRemoteConfig({ provider: 'file', path: 'config.json', keys: {} as never, propagationTimeout: '5s' }, dir), colleague: edit, stored: () => JSON.parse(readFileSync(path, 'utf8')) };
  },
  async command() {
    const dir = testdir({ 'store.json': JSON.stringify(INITIAL) });
    const path = join(dir, 'store.json');
    const spec = (op: string) => ({ run: ['node', EDIT_SCRIPT, op, 'store.json'], shell: false, timeout: '10s', env: {} });
    const port = new CommandRemoteConfig({ provider: 'command', read: spec('read'), write: spec('write'), keys: {} as never, propagationTimeout: '5s' }, dir, process.env);
    const edit = (k: string, v: unknown) => writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), [k]: v }));
    return { port, colleague: edit, stored: () => JSON.parse(readFileSync(path, 'utf8')) };
  },
  async firebase() {
    const emulator = await sharedFirebase();
    emulator.reset(FIREBASE_PARAMETERS);
    const port = new FirebaseRemoteConfig(
      { provider: 'firebase', projectId: emulator.projectId, credentials: { accessToken: { env: 'FB_TOKEN' } }, baseUrl: emulator.server.url, keys: {} as never, propagationTimeout: '5s' },
      { baseDir: '.', env: { FB_TOKEN: emulator.token, FIREBASE_REMOTE_CONFIG_URL_BASE: emulator.server.url } },
    );
    const valueOf = (p: { defaultValue?: { value: string } | { useInAppDefault: true }; valueType?: string }) => {
      const raw = p.defaultValue && 'value' in p.defaultValue ? p.defaultValue.value : undefined;
      return p.valueType === 'BOOLEAN' ? raw === 'true' : raw;
    };
    return {
      port,
      colleague: (k, v) => emulator.edit((t) => (t.parameters[k] = { defaultValue: { value: String(v) }, valueType: typeof v === 'boolean' ? 'BOOLEAN' : 'STRING' })),
      stored: () => Object.fromEntries(Object.entries(emulator.template.parameters).map(([k, p]) => [k, valueOf(p) ?? null])) as JsonObject,
    };
  },
  async sandbox() {
    const dir = testdir();
    const parsed = parseReleaseConfig('t', CONFIG_TEMPLATE);
    if (!parsed.ok) throw new Error('template');
    const sandbox = new Sandbox(dir, []);
    sandbox.seed({ ...parsed.config, sandbox: { ...parsed.config.sandbox, config: INITIAL } }, { latencyMs: 0, gates: 'auto' });
    const world = new WorldFile(join(dir, 'sandbox.json'));
    return {
      port: sandbox.portsFor('s', 'config/set-maintenance', 'run').config,
      colleague: (k, v) => {
        world.update((w) => {
          w.config = { ...w.config, [k]: v };
          w.configVersion += 1;
        });
      },
      stored: () => world.read().config,
    };
  },
};

describe.each(Object.entries(SUBJECTS))('remote config contract: %s', (_name, make) => {
  it('reads the document with a version', async () => {
    const { port } = await make();
    const snap = await port.read();
    expect(snap.doc).toEqual(INITIAL);
    expect(typeof snap.version === 'string' || snap.version === null).toBe(true);
  });

  it('writes by compare-and-set: the version read is accepted once, a stale one refused', async () => {
    const { port, stored } = await make();
    const first = await port.read();
    await port.write({ ...first.doc, maintenance_mode: true }, { ifMatch: first.version });
    expect(await stored()).toMatchObject({ maintenance_mode: true, ios_minimum_version: '1.3.0', enable_new_registration_flow: true });
    await expect(port.write({ ...first.doc, ios_minimum_version: '9.9.9' }, { ifMatch: first.version })).rejects.toBeInstanceOf(VersionMismatchError);
    expect((await stored()).ios_minimum_version).toBe('1.3.0');
  });

  it('two writers contending: the loser re-applies only its own keys on top of the winner', async () => {
    const { port, colleague, stored } = await make();
    const racing: RemoteConfigPort = {
      describe: port.describe,
      read: (signal) => port.read(signal),
      async write(doc, opts) {
        racing.write = port.write.bind(port);
        await colleague('enable_new_registration_flow', false); // the other writer wins the race
        return port.write(doc, opts);
      },
    };
    const result = await applyKeyChanges(racing, [{ path: 'maintenance_mode', before: false, after: true }]);
    expect(result.status).toBe('written');
    expect(await stored()).toMatchObject({ maintenance_mode: true, enable_new_registration_flow: false, ios_minimum_version: '1.3.0' });
  });

  it('never overwrites a colleague\'s change to one of our keys', async () => {
    const { port, colleague, stored } = await make();
    await colleague('ios_minimum_version', '1.5.0');
    const error = await applyKeyChanges(port, [{ path: 'ios_minimum_version', before: '1.3.0', after: '2.0.0' }]).catch((e: unknown) => e);
    expect((error as Error).message).toContain('ios_minimum_version is "1.5.0" (expected "1.3.0")');
    expect((await stored()).ios_minimum_version).toBe('1.5.0');
  });
});

describe('Firebase specifics', () => {
  it('keeps conditional values, journals the template version, and sends valueTypes right', async () => {
    const subject = await SUBJECTS.firebase!();
    const emulator = await sharedFirebase();
    const snap = await subject.port.read();
    const written = await subject.port.write({ ...snap.doc, maintenance_mode: true, ios_minimum_version: '2.0.0' }, { ifMatch: snap.version });
    expect(written.detail).toBe('template version 2');
    const again = await subject.port.read();
    expect(again.doc).toEqual({ maintenance_mode: true, ios_minimum_version: '2.0.0', enable_new_registration_flow: true });
    expect(emulator.template.parameters.ios_minimum_version).toEqual({ defaultValue: { value: '2.0.0' }, valueType: 'STRING', conditionalValues: { beta_testers: { value: '2.0.0-beta' } } });
    expect(emulator.template.parameters.maintenance_mode).toEqual({ defaultValue: { value: 'true' }, valueType: 'BOOLEAN' });
  });
});
