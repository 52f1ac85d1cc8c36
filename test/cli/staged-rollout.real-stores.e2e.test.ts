/**
 * store/staged-rollout through the CLI with the real store adapters (and their real SDKs) against
 * the emulators: Play's userFraction goes up stage by stage and completes; a failed gate halts
 * the Play release and pauses the App Store phased release.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { storeProject, type StoreProject } from '../helpers/store-project.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

let project: StoreProject | undefined;
afterEach(async () => {
  await project?.stop();
  project = undefined;
});

const PLAYBOOK = `name: rollout-only
steps:
  - id: rollout
    uses: store/staged-rollout
    with:
      stages: [{ fraction: 0.05 }, { fraction: 0.2 }, { fraction: 1 }]
      gates:
        - { metric: crash_free_sessions, source: { command: [./unused.sh] }, min: 99.5 }
`;

/** 2.0.0 already published: Play at 5%, the App Store on day 1 of its phased release. */
async function published(): Promise<StoreProject> {
  const p = await storeProject();
  p.play.seed({ lifecycle: 'RELEASE_LIFECYCLE_STATE_PUBLISHED', fraction: 0.05 });
  const v = p.asc.seed({ state: 'READY_FOR_DISTRIBUTION', liveVersion: '1.4.2' });
  v.phased = { id: 'p-1', state: 'ACTIVE', day: 1 };
  writeFileSync(join(p.dir, 'rollout-only.yaml'), PLAYBOOK);
  return p;
}

describe('staged rollout on the real adapters', () => {
  it('healthy: Play 5% -> 20% -> completed; App Store phased release COMPLETE', async () => {
    project = await published();
    const result = await release(['flip', './rollout-only.yaml', '--sandbox-metric', 'crash_free_sessions=99.9', '--yes'], { cwd: project.dir, env: project.env });
    expect(result.code, result.stderr).toBe(0);
    expect(project.play.release()).toMatchObject({ status: 'completed' });
    expect(project.play.release().userFraction).toBeUndefined();
    expect(project.asc.version().phased!.state).toBe('COMPLETE');
    // The 20% stage went through an edit that set userFraction 0.2.
    const updates = project.play.server.calls.filter((c) => c.method === 'PUT' && /tracks\/production$/.test(c.path));
    expect(updates).toHaveLength(2);
  });

  it('a failed gate: Play halted at 5%, the App Store phased release PAUSED, exit 7', async () => {
    project = await published();
    const result = await release(['flip', './rollout-only.yaml', '--sandbox-metric', 'crash_free_sessions=98', '--yes'], { cwd: project.dir, env: project.env });
    expect(result.code, result.stderr).toBe(7);
    expect(project.play.release()).toMatchObject({ status: 'halted', userFraction: 0.05 });
    expect(project.asc.version().phased!.state).toBe('PAUSED');
    expect(result.stderr).toContain('0 of 30 pause days used');
  });
});
