/**
 * The error catalogue: every failure the CLI reports on purpose is a ReleaseError with an exit
 * kind, a plain message and the next action. The exit-code table lives here, read everywhere.
 */
export const EXIT_CODES = {
  ok: 0,
  error: 1,
  usage: 2,
  'rolled-back': 3,
  'rollback-failed': 4,
  locked: 5,
  'needs-human': 7,
  paused: 10,
  interrupted: 130,
} as const;

export type ExitKind = keyof typeof EXIT_CODES;

export const EXIT_CODE_HELP: Record<ExitKind, string> = {
  ok: 'done (or stopped where --until asked)',
  error: 'unexpected error, or the state database unreachable at start (nothing was started)',
  usage: 'bad usage or invalid input (flags, playbook, release config)',
  'rolled-back': 'a step failed and every earlier change was undone',
  'rollback-failed': 'a step failed and an undo failed too: the remaining undos are listed',
  locked: 'another run holds the lock for this app',
  'needs-human': 'a human must decide (one store live and not the other, a state the tool cannot verify, a journal write that failed)',
  paused: 'paused at a gate: the message gives the command that continues',
  interrupted: 'interrupted (Ctrl-C): `release resume <run>` continues',
};

export class ReleaseError extends Error {
  readonly kind: ExitKind;
  /** What the person at the keyboard should do next. */
  readonly hint?: string;
  readonly details: string[];

  constructor(kind: ExitKind, message: string, opts: { hint?: string; details?: string[]; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ReleaseError';
    this.kind = kind;
    this.hint = opts.hint;
    this.details = opts.details ?? [];
  }
}

export const usageError = (message: string, hint?: string, details?: string[]) =>
  new ReleaseError('usage', message, { hint, details });

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
