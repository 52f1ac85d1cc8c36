/**
 * A run's kept files (the sandbox world) in the database, and its working copy on this machine:
 * a directory under the system's temporary directory — never under the working directory, so
 * nothing of the run's state is left there — filled from the rows when first asked for. Every
 * journal append stores back what changed, in the append's own transaction.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEPT_FILES } from '../../state-backend.js';
import type { Query } from './connection.js';

export interface KeptFile {
  name: string;
  content: Buffer;
}

export class RunFiles {
  /** The working copy; absent until `runDir` asks for it (a journal alone stores no files). */
  dir: string | undefined;
  /** What the database holds, as last read or written. */
  private readonly stored = new Map<string, Buffer>();

  constructor(readonly runId: string) {}

  /** Creates the working copy from the rows. */
  async open(query: Query): Promise<string> {
    if (this.dir) return this.dir;
    const rows = await query('SELECT name, content FROM release_kept_files WHERE run_id = $1', [this.runId]);
    const dir = mkdtempSync(join(tmpdir(), `release-run-${this.runId}-`));
    for (const row of rows.rows as { name: string; content: Buffer }[]) {
      if (!(KEPT_FILES as readonly string[]).includes(row.name)) continue;
      writeFileSync(join(dir, row.name), row.content);
      this.stored.set(row.name, row.content);
    }
    this.dir = dir;
    return dir;
  }

  /** Kept files whose content differs from what the database holds. */
  changed(): KeptFile[] {
    if (!this.dir) return [];
    const out: KeptFile[] = [];
    for (const name of KEPT_FILES) {
      let content: Buffer;
      try {
        content = readFileSync(join(this.dir, name));
      } catch {
        continue; // not written (yet): nothing to keep
      }
      if (!this.stored.get(name)?.equals(content)) out.push({ name, content });
    }
    return out;
  }

  /** Inside the append's transaction. */
  async store(query: Query, files: KeptFile[]): Promise<void> {
    for (const file of files) {
      await query(
        `INSERT INTO release_kept_files (run_id, name, content) VALUES ($1, $2, $3)
         ON CONFLICT (run_id, name) DO UPDATE SET content = excluded.content, updated_at = now()`,
        [this.runId, file.name, file.content],
      );
    }
  }

  /** After the commit: the database now holds these. */
  committed(files: KeptFile[]): void {
    for (const file of files) this.stored.set(file.name, file.content);
  }

  remove(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
