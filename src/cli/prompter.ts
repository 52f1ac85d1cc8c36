/** Questions for a person at the terminal, drawn on stderr so stdout stays machine-readable. */
import type { Prompter } from '../engine/executor.js';
import { identity } from './context.js';
import type { IO } from './io.js';

type PromptContext = { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; clearPromptOnDone: boolean };

/**
 * `onCtrlC`: inquirer turns Ctrl-C at a prompt into an error; the run treats it as the
 * interrupt it is (exit 130, resumable), not as a failure.
 */
export function terminalPrompter(io: IO, onCtrlC: () => void = () => {}): Prompter {
  const context: PromptContext = { input: io.stdin, output: io.stderrStream, clearPromptOnDone: false };
  const asking = async <T>(ask: () => Promise<T>): Promise<T> => {
    try {
      return await ask();
    } catch (err) {
      if (err instanceof Error && err.name === 'ExitPromptError') onCtrlC();
      throw err;
    }
  };
  return {
    confirm: (message) =>
      asking(async () => {
        const { confirm } = await import('@inquirer/prompts');
        return confirm({ message, default: false }, context);
      }),
    gate: (request) => asking(() => askGate(request.title, context)),
  };
}

async function askGate(title: string, context: PromptContext): Promise<{ approved: boolean; by: string; reason?: string }> {
  const { select, input } = await import('@inquirer/prompts');
  const choice = await select(
    {
      message: `${title} (what to check is listed above)`,
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
}
