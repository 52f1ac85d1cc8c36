/**
 * Who holds a run, in terms that survive PID namespaces and pid reuse: the machine (boot id),
 * the process space (PID namespace) and the process's start time next to its pid. Only inside
 * one process space can a pid be checked; elsewhere only a lock's lease says "alive".
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

export interface ProcessRef {
  host: string;
  pid: number;
  /** Linux boot id (or the host name where there is none): one kernel, one clock for start times. */
  machine?: string;
  /** PID namespace: two processes with one pid number in different namespaces are different. */
  pidNs?: string;
  /** Process start time in clock ticks since boot: a reused pid has another. */
  startTicks?: string;
}

let self: ProcessRef | undefined;

export function currentProcess(): ProcessRef {
  if (self && self.pid === process.pid) return self;
  const startTicks = startTicksOf(process.pid);
  self = {
    host: hostname(),
    pid: process.pid,
    machine: readTrimmed('/proc/sys/kernel/random/boot_id') ?? hostname(),
    ...(readNs('/proc/self/ns/pid') ? { pidNs: readNs('/proc/self/ns/pid') } : {}),
    ...(startTicks ? { startTicks } : {}),
  };
  return self;
}

/** Can `me` check `other`'s pid directly (same kernel and same PID namespace)? */
export function sameProcessSpace(other: ProcessRef, me: ProcessRef = currentProcess()): boolean {
  if (other.machine === undefined || me.machine === undefined) return other.host === me.host && other.pidNs === me.pidNs;
  return other.machine === me.machine && other.pidNs === me.pidNs;
}

/**
 * 'alive' or 'dead' when the process can be checked from here; 'unknown' from another machine
 * or PID namespace, where the caller must rely on a lease instead.
 */
export function processState(other: ProcessRef, me: ProcessRef = currentProcess()): 'alive' | 'dead' | 'unknown' {
  if (!sameProcessSpace(other, me)) return 'unknown';
  if (!pidExists(other.pid)) return 'dead';
  // A zombie answers kill(0) but will never renew or write again.
  if (/^[ZX]$/.test(procStatField(other.pid, 0) ?? '')) return 'dead';
  if (other.startTicks === undefined) return 'alive';
  const now = startTicksOf(other.pid);
  // No /proc (or it went away between the two reads): the pid answered, so assume the same process.
  if (now === undefined) return 'alive';
  return now === other.startTicks ? 'alive' : 'dead';
}

export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat: the start time in clock ticks since boot. */
function startTicksOf(pid: number): string | undefined {
  return procStatField(pid, 19);
}

/** Fields of /proc/<pid>/stat from the 3rd on (index 0 = state); the command name (field 2) may hold spaces and parentheses. */
function procStatField(pid: number, index: number): string | undefined {
  const stat = readTrimmed(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[index];
}

function readTrimmed(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function readNs(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
