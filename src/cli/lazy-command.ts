/**
 * A command known by its name, description and listing until it is used: its arguments, options,
 * help text, action and subcommands are defined only when it is the one invoked (program.ts
 * defines it before commander dispatches to it) or its help is asked for (`release help flip`).
 * Building every option of every command cost each start-up a few ms, `release --version` too.
 */
import { Command, Help, type HelpContext } from 'commander';

export class LazyCommand extends Command {
  /** How the program's command list names it: `flip [options] [playbook]` (see `subcommandTerm`). */
  readonly term: string;
  #define: ((cmd: Command) => void) | undefined;

  constructor(term: string, define: (cmd: Command) => void) {
    super(term.split(' ')[0]);
    this.term = term;
    this.#define = define;
  }

  /** Defines the rest of the command, once. */
  define(): this {
    const define = this.#define;
    this.#define = undefined;
    define?.(this);
    return this;
  }

  override helpInformation(context?: HelpContext): string {
    this.define();
    return super.helpInformation(context);
  }
}

/**
 * The program's command list names a lazy command by its declared term: commander's own term
 * counts options and arguments, which are not defined yet. help.e2e checks the two agree.
 */
export function subcommandTerm(this: Help, cmd: Command): string {
  return cmd instanceof LazyCommand ? cmd.term : Help.prototype.subcommandTerm.call(this, cmd);
}
