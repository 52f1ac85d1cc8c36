/**
 * People decide (a prompt on a terminal, or `release signoff`); an optional smoke command must
 * pass first. A failing smoke test rejects the sign-off on its own, with its last lines as reason.
 */
import { join } from 'node:path';
import type { GateDecision } from '../../engine/events.js';
import type { HumanSignoffSection } from '../../playbook/provider-config.js';
import { CommandFailed, commandLine, runCommand, type CommandContext } from '../process.js';
import type { SignoffPort } from './port.js';

const SMOKE_GATES = new Set(['internal-signoff']);

export class HumanSignoff implements SignoffPort {
  /** The smoke test runs once per gate per process, not on every poll of a waiting gate. */
  private readonly smoked = new Map<string, GateDecision | undefined>();

  constructor(
    private readonly cfg: HumanSignoffSection,
    private readonly ctx: CommandContext,
  ) {}

  async autoDecide(gate: { gate: string }, signal?: AbortSignal, progress?: (m: string) => void): Promise<GateDecision | undefined> {
    const smoke = this.cfg.smoke;
    if (!smoke || !SMOKE_GATES.has(gate.gate)) return undefined;
    if (this.smoked.has(gate.gate)) return this.smoked.get(gate.gate);
    progress?.(`smoke test: ${commandLine(smoke)}`);
    let decision: GateDecision | undefined;
    try {
      await runCommand('the smoke test', smoke, { baseDir: this.ctx.baseDir, env: this.ctx.env, signal, output: progress, logFile: join(this.ctx.logDir, 'smoke.log'), redact: this.ctx.redact });
      progress?.('smoke test passed; now a person decides');
    } catch (err) {
      if (!(err instanceof CommandFailed)) throw err;
      decision = { approved: false, by: 'smoke test', reason: err.message, source: 'auto' };
    }
    this.smoked.set(gate.gate, decision);
    return decision;
  }
}
