/** Slack messages against a real receiver on 127.0.0.1: event values are masked before a message is composed. */
import { afterEach, expect, it } from 'vitest';
import { SlackNotifier } from '../../src/providers/notify/slack.js';
import { redactor } from '../../src/providers/redactor.js';
import { TestServer } from '../emulators/http.js';

const slack = new TestServer();
afterEach(() => slack.stop());

it('a secret in a failed run\'s message never reaches Slack, whatever it holds', async () => {
  const payloads: string[] = [];
  slack.route('POST', /^\/hook$/, (req) => (payloads.push(req.rawBody), { status: 200, body: 'ok' }));
  await slack.start();
  const secrets = ['tok"en\\with-ключ', 'q7!'];
  const notifier = new SlackNotifier(`${slack.url}/hook`, 'Example Shop 2.0.0', () => undefined, redactor(secrets));
  notifier.event({
    type: 'run.finished',
    runId: 'r1',
    ts: new Date().toISOString(),
    status: 'rolled_back',
    message: `deploy-backend failed; last lines:\n    TOKEN=${secrets[0]}\n    q7!`,
    hint: `PIN=q7!`,
  });
  await notifier.flush();
  expect(payloads).toHaveLength(1);
  const text = (JSON.parse(payloads[0]!) as { text: string }).text;
  expect(text).toContain('TOKEN=***\n    ***');
  expect(text).toContain('PIN=***');
  for (const secret of secrets) {
    expect(payloads[0]).not.toContain(secret);
    expect(payloads[0]).not.toContain(JSON.stringify(secret).slice(1, -1));
  }
});
