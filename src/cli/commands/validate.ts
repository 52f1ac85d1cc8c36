/** `release validate [files...]`: check playbooks and the release config; exit 2 on any problem. */
import { readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { EXIT_CODES, ReleaseError } from '../../errors.js';
import { BUILTIN_PLAYBOOKS, locatePlaybook, playbookFiles } from '../../playbook/locate.js';
import { findConfigFile, loadReleaseConfig } from '../../playbook/release-config.js';
import { shippedText } from '../../playbook/shipped-texts.js';
import { formatProblem } from '../../playbook/yaml-source.js';
import type { IO } from '../io.js';
import type { GlobalOptions } from '../program.js';

export interface ValidateOptions extends GlobalOptions {
  files: string[];
}

export async function runValidate(io: IO, opts: ValidateOptions): Promise<number> {
  const configFile = opts.config ?? findConfigFile(io.cwd);
  const projectDir = configFile ? dirname(configFile) : io.cwd;
  const files = opts.files.length ? opts.files.map((f) => locatePlaybook(f, io.cwd, projectDir)) : playbookFiles(projectDir);
  let bad = 0;
  const report = (file: string, problems: string[], detail: string) => {
    if (problems.length) bad++;
    if (opts.json) io.out.write(`${JSON.stringify({ type: 'validate', runId: null, ts: new Date().toISOString(), file, ok: !problems.length, problems })}\n`);
    const name = file.startsWith(BUILTIN_PLAYBOOKS) ? `${file.slice(BUILTIN_PLAYBOOKS.length)} (built-in)` : relative(io.cwd, file) || file;
    if (problems.length) for (const p of problems) io.err.write(`✖ ${p}\n`);
    else io.err.write(`✔ ${name}${detail}\n`);
  };

  if (configFile && !opts.files.length) {
    try {
      loadReleaseConfig(configFile);
      report(configFile, [], ' (release config)');
    } catch (err) {
      if (!(err instanceof ReleaseError)) throw err;
      report(configFile, err.details.length ? err.details : [err.message], '');
    }
  }
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    // A shipped playbook as the build checked it (shipped-texts.ts): the same checks, already made.
    const steps = shippedText(text)?.steps;
    if (steps !== undefined) {
      report(file, [], ` (${steps} steps)`);
      continue;
    }
    // The checker and every action's input schema, loaded only for a playbook the build did not check.
    const [{ loadPlaybook }, { actionCatalog }] = await Promise.all([import('../../playbook/load.js'), import('../../actions/registry.js')]);
    const result = loadPlaybook(file, actionCatalog, text);
    report(file, result.ok ? [] : result.problems.map(formatProblem), result.ok ? ` (${result.loaded.playbook.steps.length} steps)` : '');
  }
  return bad ? EXIT_CODES.usage : EXIT_CODES.ok;
}
