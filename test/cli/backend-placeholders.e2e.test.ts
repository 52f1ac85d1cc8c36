/**
 * `{fromVersion}` and `{toVersion}` mean the same in deploy and rollback: from the version being
 * replaced, to the version being made live. A rollback goes from the new version back to the old
 * one. The old `{previousVersion}` (which in a rollback was the NEW version) is refused with what
 * to write instead. Real scripts as child processes, a real health URL; the rest is the sandbox.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { BackendServer } from '../emulators/backend-server.js';
import { started } from '../helpers/servers.js';
import { exampleProject } from '../helpers/example-project.js';
import { testdir } from '../helpers/testdir.js';
import { runIds } from '../helpers/world.js';

const RECORD = fileURLToPath(new URL('../fixtures/record-argv.mjs', import.meta.url));

function project(backend: string): string {
  return exampleProject(`backend:\n${backend}`);
}

describe('backend command placeholders', () => {
  it('a rollback script given {fromVersion} {toVersion} is told to go from 2.0.0 back to 1.4.2', async () => {
    const server = await started(new BackendServer('1.4.2'));
    const dir = project(`  provider: command
  deploy: { run: [node, ${RECORD}, deploy, "{fromVersion}", "{toVersion}"], timeout: 20s }
  rollback: { run: [node, ${RECORD}, rollback, "{fromVersion}", "{toVersion}"], timeout: 20s }
  health: { url: ${server.healthUrl}, versionPath: build.version }
  waitForVersion: 10s`);
    const log = join(dir, 'argv.ndjson');
    const env = { ARGV_LOG: log, BACKEND_ADMIN: server.server.url };

    // The testers say no after the deploy: the backend is rolled back.
    const result = await release(['flip', '--yes', '--sandbox-fail', 'internal-signoff'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(3);

    const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string> });
    expect(calls.map((c) => c.argv)).toEqual([
      ['deploy', '1.4.2', '2.0.0'],
      ['rollback', '2.0.0', '1.4.2'],
    ]);
    expect(calls[1]!.env).toMatchObject({ RELEASE_FROM_VERSION: '2.0.0', RELEASE_TO_VERSION: '1.4.2', RELEASE_VERSION: '1.4.2' });
    // The ambiguous variable is gone: a script still reading it fails loudly instead of redeploying 2.0.0.
    expect(calls[1]!.env.RELEASE_PREVIOUS_VERSION).toBeUndefined();
    expect(server.version).toBe('1.4.2');
    expect(server.deploys.map((d) => [d.via, d.version])).toEqual([
      ['deploy', '2.0.0'],
      ['rollback', '1.4.2'],
    ]);
  });

  it('the init template documents {fromVersion} and {toVersion} for both commands', async () => {
    const dir = testdir();
    expect((await release(['init'], { cwd: dir })).code).toBe(0);
    const template = readFileSync(join(dir, 'release.config.yaml'), 'utf8');
    expect(template).toContain('# rollback: { run: [./scripts/rollback.sh, "{fromVersion}", "{toVersion}"]');
    expect(template).toContain('A rollback goes from 2.0.0 back to 1.4.2');
    expect(template).not.toContain('{previousVersion}');
  });

  it('the run header says its commands and config are frozen at its start', async () => {
    const dir = project('  provider: sandbox');
    const result = await release(['flip', '--yes'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split('\n')[0]).toMatch(/^Run scenario-b — .*config and commands are frozen: edits to release\.config\.yaml apply to new runs only/);
  });

  it.each([
    ['a command', `  provider: command
  deploy: { run: [./deploy.sh, "{version}"] }
  rollback: { run: [./rollback.sh, "{previousVersion}"] }
  health: { url: http://127.0.0.1:9/health, versionPath: version }`, /release\.config\.yaml:9:\d+: backend\.rollback\.run\[1\]: /],
    ['a webhook body', `  provider: webhook
  deploy: { url: "http://127.0.0.1:9/deploy", body: { version: "{toVersion}" } }
  rollback: { url: "http://127.0.0.1:9/rollback", body: { version: "{previousVersion}" } }
  health: { url: http://127.0.0.1:9/health, versionPath: version }`, /release\.config\.yaml:9:\d+: backend\.rollback\.body\.version: /],
  ])('{previousVersion} in %s is refused by validate and flip (exit 2), saying what to write', async (_name, backend, where) => {
    const dir = project(backend);
    const validate = await release(['validate'], { cwd: dir });
    expect(validate.code).toBe(2);
    expect(validate.stderr).toMatch(where);
    expect(validate.stderr).toContain('{previousVersion} is no longer filled in: write {fromVersion} (the version being replaced) or {toVersion} (the version being made live)');
    const flip = await release(['flip', '--yes'], { cwd: dir });
    expect(flip.code).toBe(2);
    expect(flip.stderr).toContain('write {fromVersion}');
    expect(runIds(dir)).toEqual([]);
  });
});
