/**
 * Runs the real CLI entry (`main`) inside the test process, on real files: the same code path
 * as the binary, minus Node's start-up, for matrices of hundreds of commands.
 */
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { IO } from '../../src/cli/io.js';
import { SecretMask } from '../../src/cli/secret-mask.js';
import { cliEnv, type CliResult } from './cli.js';

/** `stdoutWrite`, when given, sees each write to stdout first (and may throw, as a broken reader would). */
export async function releaseInProcess(args: string[], opts: { cwd: string; env?: Record<string, string>; stdoutWrite?: (text: string) => void }): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const mask = new SecretMask();
  const out = { write: (t: string) => (opts.stdoutWrite?.(t), (stdout += t)) };
  const err = { write: (t: string) => (stderr += t) };
  const io: IO = {
    out: mask.sink(out),
    err: mask.sink(err),
    mask,
    unmasked: { out, err },
    stdin: new PassThrough(),
    stderrStream: new PassThrough(),
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    stderrColumns: 100,
    env: cliEnv(opts.env),
    cwd: opts.cwd,
    exitNow: (code) => {
      throw new Error(`the CLI asked to exit at once (${code})`);
    },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
