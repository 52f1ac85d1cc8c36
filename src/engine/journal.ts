import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import type { DurableEvent } from './events.js';

/**
 * The run's append-only NDJSON journal. Each append is written and fsynced before it returns, so
 * intent is on disk before the side effect it announces. A crash can tear only the last line;
 * readers skip it and the next writer cuts it off.
 */
export class Journal {
  private fd: number | undefined;

  constructor(
    readonly path: string,
    private readonly redact: (line: string) => string = (l) => l,
  ) {}

  append(event: DurableEvent): void {
    const fd = this.open();
    writeSync(fd, this.redact(JSON.stringify(event)) + '\n');
    fsyncSync(fd);
  }

  read(): DurableEvent[] {
    return readJournal(this.path);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    const fd = openSync(this.path, 'a+');
    cutTornTail(fd);
    this.fd = fd;
    return fd;
  }
}

export function readJournal(path: string): DurableEvent[] {
  if (!existsSync(path)) return [];
  const events: DurableEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as DurableEvent);
    } catch {
      // A torn last line from a crash mid-write: the event never completed, so it never happened.
    }
  }
  return events;
}

/** Truncates a partial last line so the next append starts on a line of its own. */
function cutTornTail(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] === 0x0a) return;
  const chunk = Math.min(size, 1 << 20);
  const buf = Buffer.alloc(chunk);
  readSync(fd, buf, 0, chunk, size - chunk);
  const nl = buf.lastIndexOf(0x0a);
  ftruncateSync(fd, nl === -1 ? size - chunk : size - chunk + nl + 1);
}
