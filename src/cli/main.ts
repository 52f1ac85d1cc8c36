/** Entry point: runs the program and turns anything that escaped into an exit code. */
import { reportError } from './exit.js';
import { inGitHubActions, processIO, type IO } from './io.js';
import { closeRunStores } from './open-stores.js';
import { runProgram } from './program.js';

/** For the launcher: it leaves once stdout's output is out (io.ts). */
export { afterOutput } from './io.js';

export async function main(argv: string[], given: IO = processIO((code) => process.exit(code))): Promise<number> {
  const json = argv.includes('--json') || argv.includes('-j');
  const io = await withGitHubActions(given, json);
  try {
    return await runProgram(io, argv);
  } catch (err) {
    return reportError(io, err, json);
  } finally {
    await closeRunStores();
  }
}

/** Inside a GitHub Actions step, the IO carries its native mode; loaded only there. */
async function withGitHubActions(io: IO, json: boolean): Promise<IO> {
  if (!inGitHubActions(io.env)) return io;
  const { GitHubActions } = await import('./github-actions.js');
  return { ...io, github: new GitHubActions(io, json) };
}
