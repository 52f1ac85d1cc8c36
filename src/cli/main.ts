/** Entry point: runs the program and turns anything that escaped into an exit code. */
import { reportError } from './exit.js';
import { processIO, type IO } from './io.js';
import { closeRunStores } from './open-stores.js';
import { runProgram } from './program.js';

export async function main(argv: string[], io: IO = processIO((code) => process.exit(code))): Promise<number> {
  try {
    return await runProgram(io, argv);
  } catch (err) {
    return reportError(io, err, argv.includes('--json') || argv.includes('-j'));
  } finally {
    await closeRunStores();
  }
}
