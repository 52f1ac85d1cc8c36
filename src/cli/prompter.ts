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
    gate: (request) => asking(() => askGate(request, context)),
  };
}

/**
 * A gate with things to check (the internal sign-off: builds, backend, the team's checklist) is a
 * checklist: everything ticked approves; anything left unticked rejects, naming it. Other gates
 * (Play's "Publish changes") are a plain approve / reject.
 */
async function askGate(request: { title: string; instructions: string[] }, context: PromptContext): Promise<{ approved: boolean; by: string; reason?: string }> {
  const { checkbox, select, input } = await import('@inquirer/prompts');
  const checks = request.instructions.filter((i) => !/^(Open|Warning|The tool)/.test(i));
  let approved: boolean;
  let failed: string[] = [];
  if (checks.length > 1) {
    const passed = await checkbox({ message: `${request.title}\n  Tick every check that passed (space), then enter:`, choices: checks.map((c) => ({ name: c, value: c })) }, context);
    failed = checks.filter((c) => !passed.includes(c));
    approved = failed.length === 0;
  } else {
    approved = (await select({ message: request.title, choices: [{ name: 'Approve', value: true }, { name: 'Reject', value: false }] }, context)) === true;
  }
  const by = await input({ message: 'Your name (for the journal):', default: identity().who }, context);
  const note = await input({ message: approved ? 'Note (optional):' : 'What failed?', required: !approved && failed.length === 0 }, context);
  const reason = [failed.length ? `not passed: ${failed.join('; ')}` : '', note].filter(Boolean).join(' — ');
  return { approved, by, ...(reason ? { reason } : {}) };
}
