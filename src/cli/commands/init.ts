/** `release init`: write a commented release.config.yaml to start from. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '../../errors.js';
import { CONFIG_TEMPLATE } from '../../playbook/config-template.js';
import type { IO } from '../io.js';
import type { GlobalOptions } from '../program.js';

export interface InitOptions extends GlobalOptions {
  force: boolean;
}

export async function runInit(io: IO, opts: InitOptions): Promise<number> {
  const file = join(io.cwd, 'release.config.yaml');
  if (existsSync(file) && !opts.force) throw usageError(`${file} already exists.`, 'Pass --force to overwrite it.');
  writeFileSync(file, CONFIG_TEMPLATE);
  io.err.write(`Wrote ${file}.\nEdit the app section, then rehearse with \`release flip --sandbox\` and check with \`release validate\`.\n`);
  if (opts.json) io.out.write(`${JSON.stringify({ type: 'init', runId: null, ts: new Date().toISOString(), file })}\n`);
  return 0;
}
