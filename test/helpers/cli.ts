/** Runs the real, built CLI as a child process, the way a release captain or CI does. */
import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const BIN = fileURLToPath(new URL('../../bin/release.cjs', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** GitHub's step files and its native mode: a suite run inside Actions must not write the job's own. */
const GITHUB_STEP = new Set(['GITHUB_ACTIONS', 'GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STATE']);

/** A clean environment: not CI, not a GitHub Actions step, no state-dir override, no colour games. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // FIREBASE_REMOTE_CONFIG_URL_BASE: an in-process Firebase run in this worker (isolate: false)
    // sets it for firebase-admin; a child must get only the endpoint its own test names.
    // NODE_EXTRA_CA_CERTS: Node 20 reads and parses that file at every start (about 45 ms of CPU
    // for a system bundle, per child); the children reach only servers on 127.0.0.1, over plain
    // HTTP or with the CA their own test names.
    if (v === undefined || k.startsWith('RELEASE_') || k === 'CI' || k === 'NO_COLOR' || k === 'FORCE_COLOR' || k === 'FIREBASE_REMOTE_CONFIG_URL_BASE' || k === 'NODE_EXTRA_CA_CERTS' || GITHUB_STEP.has(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export async function release(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  const result = await execa('node', [BIN, ...args], { cwd: opts.cwd, env: cliEnv(opts.env), extendEnv: false, reject: false, stdin: 'ignore' });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export function startRelease(args: string[], opts: { cwd: string; env?: Record<string, string> }): ResultPromise<{ reject: false; buffer: true }> {
  return execa('node', [BIN, ...args], { cwd: opts.cwd, env: cliEnv(opts.env), extendEnv: false, reject: false, buffer: true, stdin: 'ignore' }) as never;
}

export interface JsonEvent {
  type: string;
  runId: string | null;
  ts: string;
  step?: string;
  [key: string]: unknown;
}

/** Parses `--json` stdout, failing the test if any line is not a JSON event. */
export function ndjson(stdout: string): JsonEvent[] {
  const lines = stdout.split('\n').filter((l) => l.length);
  return lines.map((line) => {
    let parsed: JsonEvent;
    try {
      parsed = JSON.parse(line) as JsonEvent;
    } catch {
      throw new Error(`stdout line is not JSON: ${line}`);
    }
    expect(typeof parsed.type).toBe('string');
    expect(parsed).toHaveProperty('runId');
    expect(Number.isNaN(Date.parse(parsed.ts))).toBe(false);
    return parsed;
  });
}

/** Resolves with the first run id a running CLI prints on stdout (--json). */
export function firstRunId(child: ResultPromise): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /"runId":"([^"]+)"/.exec(buffer);
      if (match) {
        child.stdout?.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.catch(reject);
    void child.then(() => reject(new Error(`the CLI ended before printing a run id: ${buffer}`)));
  });
}

/** Resolves once a running CLI has printed `text` on stdout (e.g. a --json event), as the test's cue to act. */
export function stdoutShows(child: ResultPromise, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      if (buffer.includes(text)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.catch(reject);
    void child.then(() => reject(new Error(`the CLI ended before printing ${text}: ${buffer}`)));
  });
}
