/** Reading what a GitHub Actions step wrote, as the runner would: its outputs file and its workflow commands. */
import { expect } from 'vitest';

/** GITHUB_OUTPUT as the runner reads it: `name=value`, or `name<<delimiter` ... `delimiter`. Anything else fails. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  if (text === '') return outputs;
  const lines = text.split('\n');
  expect(lines.pop(), 'GITHUB_OUTPUT ends with a newline').toBe('');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([\w-]+)<<(ghadelimiter_[\w-]+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      expect(end, `no closing delimiter for ${heredoc[1]}`).toBeGreaterThan(i);
      outputs[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const pair = /^([\w-]+)=(.*)$/.exec(line);
    expect(pair, `GITHUB_OUTPUT line: ${line}`).not.toBeNull();
    // A name written twice keeps its last value, as GitHub does.
    outputs[pair![1]!] = pair![2]!;
  }
  return outputs;
}

export interface WorkflowCommand {
  name: string;
  properties: Record<string, string>;
  /** Unescaped, as the runner shows it. */
  message: string;
}

const unescape = (text: string) => text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

/**
 * Every workflow command in a stream, each checked: a known command, properties escaped (no bare
 * `:` or `,` inside a value), the message without a bare CR; groups never nested, each closed.
 */
export function workflowCommands(stream: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  let open: string | undefined;
  for (const line of stream.split('\n').filter((l) => l.startsWith('::'))) {
    const match = /^::(add-mask|group|endgroup|error|warning|notice)(?: ((?:[a-z]+=[^,:]*)(?:,[a-z]+=[^,:]*)*))?::(.*)$/.exec(line);
    expect(match, `not a well-formed workflow command: ${line}`).not.toBeNull();
    const [, name, props, message] = match!;
    expect(message).not.toMatch(/\r/);
    const properties = Object.fromEntries((props ?? '').split(',').filter(Boolean).map((p) => [p.slice(0, p.indexOf('=')), unescape(p.slice(p.indexOf('=') + 1))]));
    const command = { name: name!, properties, message: unescape(message!) };
    if (name === 'group') {
      expect(open, `group "${command.message}" opened inside "${open}"`).toBeUndefined();
      open = command.message;
    }
    if (name === 'endgroup') {
      expect(open, 'endgroup without a group').toBeDefined();
      open = undefined;
    }
    commands.push(command);
  }
  expect(open, `group "${open}" never closed`).toBeUndefined();
  return commands;
}
