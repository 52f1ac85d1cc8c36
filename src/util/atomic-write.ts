import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a file so a crash leaves either the old or the new content, never a torn one. `durable:
 * false` skips the fsyncs: still whole after a killed process (the page cache keeps it), not
 * after a power cut; for a rehearsal's simulated world, which no real state depends on.
 */
export function writeFileAtomic(path: string, content: string, beforeRename?: () => void, opts: { durable?: boolean } = {}): void {
  const durable = opts.durable !== false;
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const bytes = Buffer.from(content);
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    if (durable) fsyncSync(fd);
  } catch (err) {
    // A full disk: leave no half-written file behind, and say which file it was.
    closeSync(fd);
    rmSync(tmp, { force: true });
    const e = err as NodeJS.ErrnoException;
    if (e && typeof e === 'object' && e.path === undefined) e.path = path;
    throw err;
  }
  closeSync(fd);
  beforeRename?.();
  renameSync(tmp, path);
  if (durable) syncDir(dirname(path));
}

/** The rename is only durable once the directory entry is flushed. */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
