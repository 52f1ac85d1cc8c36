/**
 * The `local` state backend: files under one state directory, nothing to set up.
 *
 *   <state>/runs/<run-id>/journal.ndjson   the journal (journal.ts), beside what the run keeps
 *   <state>/heads/<run-id>.json            its head, outside the run's directory, so a restored
 *                                          older copy of that directory cannot match it
 *   <state>/locks/<app>.lock.json          one lock per app, changed under a file mutex
 *
 * Appends and lock changes are synchronous file operations under a short file mutex; the async
 * port only wraps them.
 */
import { mkdirSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { readJsonFile } from '../../util/read-json.js';
import { crashPoint } from '../crash-points.js';
import type { DurableEvent } from '../events.js';
import { withFileMutex } from '../file-mutex.js';
import { Journal, type JournalRead } from '../journal.js';
import { fenceHolds, LockLostError, type LockInfo } from '../lock.js';
import type { Fence, JournalPort, LockChange, LockRecords, StateBackend } from '../state-backend.js';
import { unlinkQuietly } from '../../util/unlink-quietly.js';

export class LocalBackend implements StateBackend {
  readonly kind = 'local';
  readonly locks: FileLockRecords;

  constructor(readonly where: string) {
    this.locks = new FileLockRecords(join(where, 'locks'));
  }

  async runIds(): Promise<string[]> {
    const dir = join(this.where, 'runs');
    if (!existsSync(dir)) return [];
    return readdirSync(dir).sort();
  }

  async createRun(runId: string): Promise<void> {
    mkdirSync(join(this.where, 'runs'), { recursive: true });
    mkdirSync(this.dirOf(runId)); // never reuse a run's directory: EEXIST stops the start before any event
  }

  async hasRun(runId: string): Promise<boolean> {
    return existsSync(this.dirOf(runId));
  }

  journal(runId: string, redact?: (text: string) => string): JournalPort {
    return new LocalJournal(new Journal(join(this.dirOf(runId), 'journal.ndjson'), join(this.where, 'heads', `${runId}.json`), redact), this.locks);
  }

  async runDir(runId: string): Promise<string> {
    return this.dirOf(runId);
  }

  async discardRun(runId: string): Promise<void> {
    rmSync(this.dirOf(runId), { recursive: true, force: true });
    rmSync(join(this.where, 'heads', `${runId}.json`), { force: true });
  }

  async close(): Promise<void> {}

  private dirOf(runId: string): string {
    return join(this.where, 'runs', runId);
  }
}

/** The file journal behind the port; the fence is the lock file, read inside the append's mutex. */
export class LocalJournal implements JournalPort {
  fence: Fence | undefined;

  constructor(
    readonly file: Journal,
    locks: FileLockRecords,
  ) {
    file.fence = () => {
      const fence = this.fence;
      if (!fence) return;
      const current = locks.readNow(fence.app);
      if (!fenceHolds(current, fence)) throw new LockLostError(fence, current);
    };
  }

  get where(): string {
    return this.file.path;
  }

  async append(event: DurableEvent): Promise<DurableEvent> {
    return this.file.append(event);
  }

  async read(): Promise<JournalRead> {
    return this.file.read();
  }

  async readSince(seen: number): Promise<JournalRead> {
    return this.file.readSince(seen);
  }

  async setAside(label: string): Promise<string> {
    return this.file.setAside(label);
  }
}

/** Lock records as files, each change read-decide-write under the lock file's mutex. */
export class FileLockRecords implements LockRecords {
  constructor(readonly dir: string) {}

  async change<T>(app: string, decide: LockChange<T>): Promise<T> {
    mkdirSync(this.dir, { recursive: true });
    const path = this.pathFor(app);
    return withFileMutex(`${path}.mutex`, () => {
      const verdict = decide(parseLock(path));
      if (verdict.next) writeFileAtomic(path, JSON.stringify(verdict.next, null, 2), () => crashPoint('lock-written-aside'));
      else if (verdict.next === null) unlinkQuietly(path);
      return verdict.result;
    });
  }

  async read(app: string): Promise<LockInfo | undefined> {
    return this.readNow(app);
  }

  readNow(app: string): LockInfo | undefined {
    return parseLock(this.pathFor(app));
  }

  async list(): Promise<LockInfo[]> {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .filter((n) => n.endsWith('.lock.json'))
      .map((n) => parseLock(join(this.dir, n)))
      .filter((l): l is LockInfo => l !== undefined);
  }

  private pathFor(app: string): string {
    return join(this.dir, `${app.replace(/[^A-Za-z0-9._-]/g, '_')}.lock.json`);
  }
}

function parseLock(path: string): LockInfo | undefined {
  try {
    return readJsonFile(path) as LockInfo | undefined;
  } catch {
    // Locks are renamed into place whole, so this is a hand edit or an older release's torn file:
    // it reserves nothing, and the next take overwrites it.
    return undefined;
  }
}
