/**
 * The README's App Recovery and policy blocks run as written: App Recovery against the Play
 * emulator (the real SDK, one world across the four commands), the policy against the sandbox.
 */
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv } from '../helpers/cli.js';
import { storeProject } from '../helpers/store-project.js';
import { testdir } from '../helpers/testdir.js';
import { readWorld, runIds } from '../helpers/world.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

function block(heading: string): string {
  const readme = readFileSync(README, 'utf8');
  const match = /```sh\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf(heading)));
  if (!match) throw new Error(`no sh block under "${heading}" in the README`);
  return match[1]!;
}

function bash(script: string, dir: string, release: string, env: Record<string, string> = {}) {
  return execa('bash', ['-c', `set -euo pipefail\nrelease() { ${release}; }\n${script}`], { cwd: dir, env: cliEnv({ CI: 'true', ...env }), extendEnv: false, reject: false });
}

describe("the README's after-the-flip blocks", () => {
  it('App Recovery: create, deploy, list and cancel, as written, against Google Play', async () => {
    const p = await storeProject();
    try {
      const ran = await bash(block('### Play App Recovery'), p.dir, `node ${JSON.stringify(BIN)} "$@" --yes`, p.env);
      expect(ran.exitCode, `${ran.stdout}\n${ran.stderr}`).toBe(0);
      expect(ran.stdout).toContain('7001  RECOVERY_STATUS_ACTIVE  version codes 140-142');
      expect(p.play.recoveries.get('7001')).toMatchObject({ status: 'RECOVERY_STATUS_CANCELED', deployTime: expect.any(String) });
    } finally {
      await p.stop();
    }
  });

  it('the policy: the numbers, the decision record, and --apply, as written, on the sandbox', async () => {
    const dir = testdir();
    const ran = await bash(block('## The forced-upgrade policy'), dir, `node ${JSON.stringify(BIN)} "$@" --sandbox`);
    expect(ran.exitCode, `${ran.stdout}\n${ran.stderr}`).toBe(0);
    expect(ran.stdout).toContain('Backward-compatibility window: 99 d');
    expect(existsSync(join(dir, 'decision-record.md'))).toBe(true);
    expect(readFileSync(join(dir, 'decision-record.md'), 'utf8')).toContain('## 3. Server-side API backward compatibility window');
    expect(readWorld(dir, runIds(dir).at(-1)!).config).toMatchObject({ ios: { minimum_version: '1.3.5' } });
  });
});
