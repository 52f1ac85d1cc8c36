/** The README's staged-rollout block runs as written against the sandbox (`release` is the built CLI). */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv } from '../helpers/cli.js';
import { readmeShBlock } from '../helpers/readme.js';
import { testdir } from '../helpers/testdir.js';
import { readWorld, runIds } from '../helpers/world.js';

describe("the README's staged-rollout block", () => {
  it('halts at 20% on a failing metric, continues from 20% after it recovers, and ships the hotfix', async () => {
    const dir = testdir();
    const script = `set -euo pipefail\nrelease() { node ${JSON.stringify(BIN)} "$@"; }\n${readmeShBlock('## After the flip')}`;
    const ran = await execa('bash', ['-c', script], { cwd: dir, env: cliEnv({ CI: 'true' }), extendEnv: false, reject: false });
    expect(ran.exitCode, `${ran.stdout}\n${ran.stderr}`).toBe(0);
    const [rollout, hotfix] = runIds(dir);
    const ops = readWorld(dir, rollout)
      .effects.filter((e) => e.platform === 'android' && e.op !== 'store.publish')
      .map((e) => `${e.op}${e.fraction !== undefined ? ` ${e.fraction}` : ''}`);
    expect(ops).toEqual(['store.rollout 0.2', 'store.halt 0.2', 'store.resume 0.2', 'store.rollout 0.5', 'store.complete']);
    const fixed = readWorld(dir, hotfix);
    expect(fixed.stores.android).toMatchObject({ liveVersion: '2.0.1', rollout: { state: 'complete' } });
    expect((fixed.config.ios as { minimum_version: string }).minimum_version).toBe('2.0.1');
  });
});
