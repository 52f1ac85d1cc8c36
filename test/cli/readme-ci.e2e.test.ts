/**
 * The README's CI block runs as written, against the sandbox: the test takes the block out of
 * the README and runs it with bash, `release` being the built CLI with `--sandbox` added (and,
 * for the flip, gates that wait for people, as a real run's would).
 */
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv } from '../helpers/cli.js';
import { readmeShBlock } from '../helpers/readme.js';
import { testdir } from '../helpers/testdir.js';
import { countEffects, onlyRun, readWorld } from '../helpers/world.js';

describe("the README's CI block", () => {
  it('runs as written against the sandbox and ends with a published flip and a report', async () => {
    const dir = testdir();
    const summary = join(dir, 'step-summary.md');
    const script = `set -euo pipefail
release() {
  if [ "$1" = flip ]; then node ${JSON.stringify(BIN)} "$@" --sandbox --sandbox-gates manual; else node ${JSON.stringify(BIN)} "$@" --sandbox; fi
}
${readmeShBlock('## In CI')}`;
    const ran = await execa('bash', ['-c', script], { cwd: dir, env: cliEnv({ CI: 'true', GITHUB_STEP_SUMMARY: summary }), extendEnv: false, reject: false });
    expect(ran.exitCode, `${ran.stdout}\n${ran.stderr}`).toBe(0);
    const world = readWorld(dir, onlyRun(dir));
    expect(world.config.maintenance_mode).toBe(false);
    for (const p of ['ios', 'android'] as const) expect(countEffects(world, 'store.publish', p)).toBe(1);
    expect(readFileSync(summary, 'utf8')).toContain('## release scenario-b: succeeded');
  });
});
