/** Questions for a person at the terminal, drawn on stderr so stdout stays machine-readable. */
import type { Prompter } from '../engine/executor.js';
import { identity } from './context.js';
import type { IO } from './io.js';

export function terminalPrompter(io: IO): Prompter {
  const context = { input: io.stdin, output: io.stderrStream, clearPromptOnDone: false };
  return {
    async confirm(message) {
      const { confirm } = await import('@inquirer/prompts');
      return confirm({ message, default: false }, context);
    },
    async gate(request) {
      const { select, input } = await import('@inquirer/prompts');
      const choice = await select(
        {
          message: `${request.title}\n${request.instructions.map((i) => `  - ${i}`).join('\n')}\n`,
          choices: [
            { name: 'Approve', value: 'approve' },
            { name: 'Reject (roll back)', value: 'reject' },
          ],
        },
        context,
      );
      const by = await input({ message: 'Your name (for the journal):', default: identity().who }, context);
      const reason = await input({ message: choice === 'reject' ? 'What failed?' : 'Note (optional):', required: choice === 'reject' }, context);
      return { approved: choice === 'approve', by, ...(reason ? { reason } : {}) };
    },
  };
}
