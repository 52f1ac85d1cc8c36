/**
 * What the backend really serves: a health URL's JSON (a dotted path) or text (a regex), or a
 * command that prints the version. It settles in-doubt deploys and gates the sign-off.
 */
import type { CommandBackendSection } from '../../playbook/provider-config.js';
import { getPath, type JsonObject } from '../../util/json-path.js';
import { expandHeaders } from '../env-template.js';
import { HttpFailure, httpCall, parseJson } from '../http-json.js';
import { runCommand } from '../process.js';

export type HealthSpec = CommandBackendSection['health'];

export class HealthReader {
  readonly describe: string;

  constructor(
    private readonly spec: HealthSpec,
    private readonly baseDir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.describe = spec.url ? `the backend (${spec.url})` : 'the backend';
  }

  async version(signal?: AbortSignal): Promise<string | null> {
    if (this.spec.command) {
      const { stdout } = await runCommand('version command', this.spec.command, { baseDir: this.baseDir, env: this.env, signal });
      return stdout.trim() || null;
    }
    const url = this.spec.url!;
    const answer = await httpCall('health check', url, { headers: expandHeaders(this.spec.headers, this.env, 'backend.health'), timeoutMs: 10_000, signal });
    if (answer.status < 200 || answer.status >= 300) throw new HttpFailure(`health check (${url})`, answer.status, answer.text.slice(0, 160));
    if (this.spec.versionPattern) {
      const match = new RegExp(this.spec.versionPattern).exec(answer.text);
      return match?.[1] ?? match?.[0] ?? null;
    }
    const value = getPath(parseJson(`health check (${url})`, answer.text) as JsonObject, this.spec.versionPath!);
    return value === undefined || value === null ? null : String(value);
  }
}
