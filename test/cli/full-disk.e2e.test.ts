/**
 * A full disk, for real: the state directory on a small tmpfs (as root; skipped where mounting is
 * not allowed, with the journal's own /dev/full test covering the write failure). Whatever the
 * moment the disk fills, the run stops before the side effect it could not journal, says which
 * file and why, and after space is freed `resume` converges with nothing done twice. The flip that
 * meets the full disk is a child process (a lock it could not park names a process that is gone,
 * as after a real failure); the commands after space is freed run in-process.
 */
import { execa } from 'execa';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { release as releaseChild } from '../helpers/cli.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { testdir } from '../helpers/testdir.js';
import { countEffects, readWorld, runIds } from '../helpers/world.js';

const mounts: string[] = [];
afterAll(async () => {
  for (const m of mounts) await execa('umount', [m], { reject: false });
});

async function smallDisk(dir: string, kib: number): Promise<string | undefined> {
  const mount = join(dir, 'disk');
  mkdirSync(mount);
  const mounted = await execa('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', mount], { reject: false });
  if (mounted.exitCode !== 0) return undefined;
  mounts.push(mount);
  return mount;
}

// Free space left on a 128 KiB disk when the flip starts: from "nothing fits" to "almost all fits".
const FREE_KIB = [4, 8, 12, 16, 20, 24, 28, 32, 40];

describe('the state directory on a disk that fills up', () => {
  it.each(FREE_KIB)('%i KiB free: stops naming the file, then converges once space is freed', async (free) => {
    const dir = testdir();
    const disk = await smallDisk(dir, 128);
    if (!disk) {
      console.warn('skipped: mounting a tmpfs is not allowed here (needs root)');
      return;
    }
    try {
      const state = join(disk, 'state');
      const filler = join(disk, 'filler');
      writeFileSync(filler, Buffer.alloc((128 - free) * 1024));
      const env = { RELEASE_STATE_DIR: state };
      const flip = await releaseChild(['flip', '--sandbox'], { cwd: dir, env });
      if (flip.code !== 0) {
        expect(flip.stderr).toMatch(/no space left on the device/);
        expect(flip.stderr).toContain(disk);
        expect(flip.stderr).not.toContain('This is a bug');
      }
      rmSync(filler);

      // The way on: resume the run if one started, else flip again.
      let ids = runIds(dir, state).filter((id) => readdirSync(join(state, 'runs', id)).includes('journal.ndjson'));
      let code = flip.code;
      let last = flip;
      for (let tries = 0; tries < 3 && code !== 0 && code !== 3; tries++) {
        last = ids.length ? await release(['resume', ids.at(-1)!], { cwd: dir, env }) : await release(['flip', '--sandbox'], { cwd: dir, env });
        code = last.code;
        ids = runIds(dir, state).filter((id) => readdirSync(join(state, 'runs', id)).includes('journal.ndjson'));
      }
      expect([0, 3], last.stderr).toContain(code);
      const runId = ids.at(-1)!;
      const world = readWorldIn(state, runId);
      expect(countEffects(world, 'backend.deploy')).toBeLessThanOrEqual(1);
      for (const p of ['ios', 'android']) expect(countEffects(world, 'store.publish', p)).toBeLessThanOrEqual(1);
      if (code === 0) {
        expect(world.config.maintenance_mode).toBe(false);
        expect(world.backend.version).toBe('2.0.0');
        expect(countEffects(world, 'backend.deploy')).toBe(1);
      } else {
        expect(world.config).toEqual(world.initialConfig);
        expect(world.backend.version).toBe(world.initialBackendVersion);
      }
    } finally {
      await execa('umount', [disk], { reject: false });
    }
  });
});

function readWorldIn(stateDir: string, runId: string) {
  return readWorld(stateDir, runId, stateDir);
}
