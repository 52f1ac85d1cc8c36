/**
 * `release state migrate` and the `doctor` state check, as a person runs them, on a real
 * PostgreSQL; in-process (the same program as the binary, without a Node start-up per command).
 */
import { describe, expect, it } from 'vitest';
import { ndjson } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { freePort, usePostgres } from '../helpers/postgres.js';
import { testdir } from '../helpers/testdir.js';

const server = usePostgres();

describe('release state migrate', () => {
  it('creates the schema, then finds nothing to do; --dry-run shows what is pending; the password is never printed', async () => {
    const url = await server.freshDatabase();
    const cwd = testdir();
    const env = { RELEASE_STATE_URL: url };
    const target = `127.0.0.1:${server.port}/${new URL(url).pathname.slice(1)}`;

    const dry = await release(['state', 'migrate', '--dry-run', '--json'], { cwd, env });
    expect(dry.code).toBe(0);
    expect(ndjson(dry.stdout)).toMatchObject([{ type: 'state.status', target, version: 0, pending: [{ version: 1 }] }]);

    const first = await release(['state', 'migrate', '--json'], { cwd, env });
    expect(first.code).toBe(0);
    expect(ndjson(first.stdout)).toMatchObject([{ type: 'state.migrated', target, from: 0, to: 1, applied: [{ version: 1 }] }]);
    expect(first.stderr).toContain(`Migrated ${target}: schema version 0 -> 1`);

    const second = await release(['state', 'migrate'], { cwd, env });
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('already up to date. Nothing applied.');

    for (const out of [dry, first, second]) expect(`${out.stdout}${out.stderr}`).not.toContain(server.password);
  });

  it('the URL can come from the env var the release config names', async () => {
    const url = await server.freshDatabase();
    const cwd = testdir({ 'release.config.yaml': 'app: { name: Shop, version: 2.0.0, ios: { bundleId: com.example.shop } }\nstate: { backend: postgres, url: { env: SHOP_STATE_DB } }\n' });
    const result = await release(['state', 'migrate', '--json'], { cwd, env: { SHOP_STATE_DB: url } });
    expect(result.code, result.stderr).toBe(0);
    expect(ndjson(result.stdout)[0]).toMatchObject({ type: 'state.migrated', to: 1 });
  });

  it('an unreachable database: exit 1 naming host:port/database and what to do, no password; local state: nothing to migrate', async () => {
    const port = await freePort();
    const down = await release(['state', 'migrate'], { cwd: testdir(), env: { RELEASE_STATE_URL: `postgres://release:pw-never-shown@127.0.0.1:${port}/state` } });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`The state database 127.0.0.1:${port}/state is unreachable`);
    expect(down.stderr).not.toContain('pw-never-shown');
    const local = await release(['state', 'migrate'], { cwd: testdir() });
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('there is no schema to migrate');
  });
});

describe('release doctor: the state database', () => {
  it('reports the schema version and pending migrations, then up to date; an unreachable database is a problem (exit 2)', async () => {
    const url = await server.freshDatabase();
    const cwd = testdir();
    const before = await release(['doctor', '--sandbox', '--json'], { cwd, env: { RELEASE_STATE_URL: url } });
    const stateOf = (stdout: string) => ndjson(stdout).find((e) => e.type === 'doctor.check' && e.name === 'state');
    expect(stateOf(before.stdout)).toMatchObject({ ok: true, detail: expect.stringMatching(/schema version 0, 1 migration\(s\) pending/) });
    await release(['state', 'migrate'], { cwd, env: { RELEASE_STATE_URL: url } });
    const after = await release(['doctor', '--sandbox', '--json'], { cwd, env: { RELEASE_STATE_URL: url } });
    expect(stateOf(after.stdout)).toMatchObject({ ok: true, detail: expect.stringMatching(/reachable, schema version 1, no migrations pending/) });
    const port = await freePort();
    const down = await release(['doctor', '--sandbox', '--json'], { cwd, env: { RELEASE_STATE_URL: `postgres://u:secretpw@127.0.0.1:${port}/x` } });
    expect(down.code).toBe(2);
    expect(stateOf(down.stdout)).toMatchObject({ ok: false, detail: expect.stringContaining(`127.0.0.1:${port}/x is unreachable`) });
    expect(down.stdout).not.toContain('secretpw');
  });
});
