/**
 * Slack incoming-webhook messages at the moments a team must know: a gate waits for someone, a
 * run failed or needs a human, a run finished. Best effort: a message that cannot be sent is a
 * warning, never a failure of the flip. Event values are masked (secrets) before a message is
 * composed: Slack is one more place a secret must never reach. https://api.slack.com/messaging/webhooks
 */
import type { EngineEvent } from '../../engine/events.js';
import type { SecretRef } from '../../playbook/release-config.js';
import { mapStrings } from '../../util/map-strings.js';
import type { HealthCheck } from '../health-check.js';
import { httpCall } from '../http-json.js';
import type { Redact } from '../redactor.js';
import { describeSecret, resolveSecret, type SecretContext } from '../secrets.js';

/** The webhook URL, or a MissingSecret naming the variable or file that does not hold it. */
export function slackWebhook(ref: SecretRef, ctx: SecretContext): string {
  return resolveSecret(ref, ctx, 'Slack webhook (notify.slack.webhook)').trim();
}

/** For `release doctor`: is the webhook there, and a URL? Nothing is posted (that would be a message). */
export function slackCheck(ref: SecretRef, ctx: SecretContext): HealthCheck {
  const name = 'Slack';
  let url: URL;
  try {
    url = new URL(slackWebhook(ref, ctx));
  } catch (err) {
    const problem = err instanceof TypeError ? `${describeSecret(ref)} does not hold a URL` : (err as Error).message;
    return { ok: false, name, detail: `${problem}; without it no run posts to Slack` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, name, detail: `${describeSecret(ref)} holds a ${url.protocol} URL, not an https one` };
  return { ok: true, name, detail: `the webhook in ${describeSecret(ref)} is set (nothing posted)` };
}

export class SlackNotifier {
  private readonly pending: Promise<void>[] = [];
  private warned = false;

  constructor(
    private readonly webhookUrl: string,
    private readonly subject: string,
    private readonly warn: (message: string) => void,
    private readonly redact: Redact = (text) => text,
  ) {}

  /** Picks the events worth a message; everything else passes by. */
  event(e: EngineEvent): void {
    const text = messageFor(mapStrings(e, this.redact), this.subject);
    if (text) this.pending.push(this.send(text));
  }

  /** Waits (a few seconds at most) for messages still on their way, before the process ends. */
  async flush(): Promise<void> {
    await Promise.race([Promise.allSettled(this.pending), new Promise((r) => setTimeout(r, 5000).unref())]);
  }

  private async send(text: string): Promise<void> {
    try {
      const answer = await httpCall('Slack', this.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }), timeoutMs: 5000 });
      if (answer.status >= 300) throw new Error(`HTTP ${answer.status} ${answer.text.slice(0, 80)}`);
    } catch (err) {
      if (!this.warned) this.warn(`warning: a Slack message could not be sent (${(err as Error).message.replace(this.webhookUrl, '<webhook>')})`);
      this.warned = true;
    }
  }
}

function messageFor(e: EngineEvent, subject: string): string | undefined {
  switch (e.type) {
    case 'gate.opened':
      return `:double_vertical_bar: ${subject} — run ${e.runId} waits at *${e.gate}*: ${e.title}\n${e.instructions.map((i) => `• ${i}`).join('\n')}`;
    case 'run.paused':
      return e.reason === 'gate' ? `To continue: \`${e.continueWith}\`` : undefined;
    case 'run.finished':
      if (e.status === 'succeeded') return `:white_check_mark: ${subject} — run ${e.runId}: ${e.message}`;
      if (e.status === 'planned') return undefined;
      return `:rotating_light: ${subject} — run ${e.runId} ${e.status.replace('_', ' ')}: ${e.message}${e.hint ? `\n${e.hint}` : ''}`;
    default:
      return undefined;
  }
}
