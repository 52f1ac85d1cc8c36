/**
 * The remote config behind commands of the team's own (S3, a CMS, a Kubernetes ConfigMap): `read`
 * prints the JSON document, `write` takes the new one on stdin with RELEASE_CONFIG_IF_MATCH set to
 * the version it must still have (for its own compare-and-set); this side re-reads and compares too.
 */
import type { CommandConfigSection } from '../../playbook/provider-config.js';
import type { JsonObject } from '../../util/json-path.js';
import type { HealthCheck } from '../health-check.js';
import { commandLine, runCommand } from '../process.js';
import { assertUnchanged, contentVersion } from './content-version.js';
import type { ConfigSnapshot, RemoteConfigPort } from './port.js';
import { publicDocument } from './public.js';

export class CommandRemoteConfig implements RemoteConfigPort {
  readonly describe: string;
  readonly public: RemoteConfigPort['public'];

  constructor(
    private readonly cfg: CommandConfigSection,
    private readonly baseDir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.describe = `the config read by \`${commandLine(cfg.read)}\``;
    this.public = publicDocument(cfg.publicUrl, cfg.propagationTimeout);
  }

  async read(signal?: AbortSignal): Promise<ConfigSnapshot> {
    const text = await this.readText(signal);
    return { doc: this.parse(text), version: contentVersion(text), warning: 'the config is read and written by commands: writes are read-verify-write' };
  }

  async write(doc: JsonObject, opts: { ifMatch: string | null; signal?: AbortSignal }): Promise<{ version: string | null }> {
    assertUnchanged(opts.ifMatch, await this.readText(opts.signal), this.describe);
    await runCommand('config write command', this.cfg.write, {
      baseDir: this.baseDir,
      env: { ...this.env, RELEASE_CONFIG_IF_MATCH: opts.ifMatch ?? '' },
      input: `${JSON.stringify(doc, null, 2)}\n`,
      signal: opts.signal,
    });
    return { version: null };
  }

  async check(signal?: AbortSignal): Promise<HealthCheck[]> {
    try {
      this.parse(await this.readText(signal));
      return [{ ok: true, name: 'remote config', detail: `\`${commandLine(this.cfg.read)}\` prints a JSON object` }];
    } catch (err) {
      return [{ ok: false, name: 'remote config', detail: (err as Error).message }];
    }
  }

  private async readText(signal?: AbortSignal): Promise<string> {
    return (await runCommand('config read command', this.cfg.read, { baseDir: this.baseDir, env: this.env, signal })).stdout;
  }

  private parse(text: string): JsonObject {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new Error(`${this.describe} did not print JSON: ${text.slice(0, 120)}`);
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${this.describe} did not print a JSON object`);
    return doc as JsonObject;
  }
}
