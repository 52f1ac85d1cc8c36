/**
 * A real backend: a trigger (command or webhook) starts a deploy or rollback, then the health
 * check must show the asked-for version within `waitForVersion`. The served version is the truth
 * for `verify` on resume; a deploy an earlier (crashed) process started is waited for first.
 */
import { ActionError } from '../../engine/action.js';
import type { CommandBackendSection } from '../../playbook/provider-config.js';
import { parseDuration } from '../../util/duration.js';
import { pollUntil } from '../../util/poll.js';
import { sleep } from '../../util/sleep.js';
import type { HealthCheck } from '../health-check.js';
import { httpCall } from '../http-json.js';
import type { BackendPort, DeployOptions, DeployRequest } from './port.js';
import type { HealthReader } from './health.js';
import type { Trigger } from './triggers.js';

type Section = Pick<CommandBackendSection, 'waitForVersion' | 'apis'> & { deployTimeout?: string | number };

export class DeployedBackend implements BackendPort {
  readonly describe: string;

  constructor(
    private readonly section: Section,
    private readonly trigger: Trigger,
    private readonly health: HealthReader,
  ) {
    this.describe = health.describe;
  }

  servedVersion(signal?: AbortSignal): Promise<string | null> {
    return this.health.version(signal);
  }

  async deploy(req: DeployRequest, opts: DeployOptions = {}): Promise<void> {
    await this.trigger.start('deploy', req, opts);
    await this.waitFor(req.toVersion, opts);
  }

  async rollback(req: DeployRequest, opts: DeployOptions = {}): Promise<void> {
    await this.trigger.start('rollback', req, opts);
    await this.waitFor(req.toVersion, opts);
  }

  async settle(signal?: AbortSignal): Promise<string | undefined> {
    const deadline = Date.now() + parseDuration(this.section.deployTimeout ?? '15m');
    let running = this.trigger.inFlight?.();
    while (running && Date.now() < deadline) {
      await sleep(1000, signal);
      running = this.trigger.inFlight?.();
    }
    return running;
  }

  async checkApi(name: string, signal?: AbortSignal): Promise<{ healthy: boolean; detail: string }> {
    const url = this.section.apis[name];
    if (!url) return { healthy: false, detail: `no health URL for API ${name} (backend.apis.${name})` };
    try {
      const answer = await httpCall(`API ${name}`, url, { timeoutMs: 10_000, signal });
      return { healthy: answer.status >= 200 && answer.status < 300, detail: `${url} answers ${answer.status}` };
    } catch (err) {
      return { healthy: false, detail: (err as Error).message };
    }
  }

  async check(signal?: AbortSignal): Promise<HealthCheck[]> {
    const checks: HealthCheck[] = [];
    try {
      const version = await this.health.version(signal);
      checks.push({ ok: version !== null, name: 'backend', detail: version !== null ? `${this.describe} serves ${version}` : `${this.describe} answers, but no version was found in it` });
    } catch (err) {
      checks.push({ ok: false, name: 'backend', detail: (err as Error).message });
    }
    for (const name of Object.keys(this.section.apis)) {
      const api = await this.checkApi(name, signal);
      checks.push({ ok: api.healthy, name: `API ${name}`, detail: api.detail });
    }
    return checks;
  }

  private async waitFor(version: string, opts: DeployOptions): Promise<void> {
    try {
      await pollUntil({
        what: `${this.describe} to serve ${version}`,
        intervalMs: 1000,
        maxIntervalMs: 10_000,
        timeoutMs: parseDuration(this.section.waitForVersion),
        signal: opts.signal,
        progress: opts.progress,
        check: async () => {
          const served = await this.health.version(opts.signal).catch((err: Error) => `unreachable (${err.message})`);
          return served === version ? { done: true, value: undefined } : { done: false, state: `serves ${served ?? 'no version'}` };
        },
      });
    } catch (err) {
      if ((err as Error).name !== 'PollTimeout') throw err;
      throw new ActionError(`${(err as Error).message}: the trigger finished but ${version} is not what serves`, {
        hint: 'Look at the deploy (its output is in the run\'s logs/ folder) and at backend.health.',
      });
    }
  }
}
