/**
 * Named moments in a run's life where the crash tests kill the process for real (SIGKILL), to
 * prove that each leaves a state the tool recovers from. Inert unless RELEASE_CRASH_AT names
 * the point; read once, so it costs nothing on the normal path.
 */
export type CrashPoint =
  | 'lock-written-aside'
  | 'after-lock'
  | 'after-created'
  | 'after-finished'
  /** postgres: the journal row of `<type>:<step>` inserted, its transaction not committed. */
  | `row-inserted:${string}`;

const armed = process.env.RELEASE_CRASH_AT;

export function crashPoint(point: CrashPoint): void {
  if (armed === point) process.kill(process.pid, 'SIGKILL');
}
