/**
 * How a deploy or rollback is started: a command of the team's (execa), or an HTTP webhook (a
 * CI pipeline's dispatch endpoint). Either way the backend then waits for the health check.
 */
import { join } from 'node:path';
import type { CommandBackendSection, WebhookBackendSection } from '../../playbook/provider-config.js';
import { fillJson } from '../../playbook/command-placeholders.js';
import { expandEnv, expandHeaders } from '../env-template.js';
import { HttpFailure, httpCall } from '../http-json.js';
import { commandLine, runCommand, runningCommand, type CommandContext } from '../process.js';
import type { DeployOptions, DeployRequest } from './port.js';

export interface Trigger {
  describe: string;
  start(op: 'deploy' | 'rollback', req: DeployRequest, opts: DeployOptions): Promise<void>;
  /** What an earlier process started and still runs, if the trigger can know. */
  inFlight?(): string | undefined;
}

export function commandTrigger(cfg: CommandBackendSection, ctx: CommandContext): Trigger {
  const pidFile = (op: string) => join(ctx.logDir, `backend-${op}.pid`);
  return {
    describe: `\`${commandLine(cfg.deploy)}\``,
    async start(op, req, opts) {
      await runCommand(`the ${op} command (${commandLine(cfg[op])})`, cfg[op], {
        vars: req,
        baseDir: ctx.baseDir,
        env: ctx.env,
        signal: opts.signal,
        output: opts.output,
        logFile: join(ctx.logDir, `backend-${op}.log`),
        pidFile: pidFile(op),
        redact: ctx.redact,
      });
    },
    inFlight() {
      for (const op of ['deploy', 'rollback'] as const) {
        const running = runningCommand(pidFile(op));
        if (running && running.pid !== process.pid) return `${running.what} (pid ${running.pid}, started ${running.started})`;
      }
      return undefined;
    },
  };
}

export function webhookTrigger(cfg: WebhookBackendSection, env: NodeJS.ProcessEnv): Trigger {
  return {
    describe: cfg.deploy.url,
    async start(op, req, opts) {
      const hook = cfg[op];
      const body = fillJson(hook.body, req);
      const url = expandEnv(hook.url, env, `backend.${op}.url`);
      opts.output?.(`${hook.method} ${hook.url}`);
      const answer = await httpCall(`${op} webhook`, url, {
        method: hook.method,
        headers: { 'content-type': 'application/json', ...expandHeaders(hook.headers, env, `backend.${op}`) },
        body: JSON.stringify(body),
        timeoutMs: 60_000,
        signal: opts.signal,
      });
      if (answer.status < 200 || answer.status >= 300) throw new HttpFailure(`${op} webhook (${hook.url})`, answer.status, answer.text.slice(0, 200));
    },
  };
}
