/** `release validate [files...]`: check playbooks and the release config; exit 2 on any problem. */
import { dirname, relative } from 'node:path';
import { actionCatalog } from '../../actions/registry.js';
import { EXIT_CODES, ReleaseError } from '../../errors.js';
import { loadPlaybook } from '../../playbook/load.js';
import { BUILTIN_PLAYBOOKS, locatePlaybook, playbookFiles } from '../../playbook/locate.js';
import { findConfigFile, loadReleaseConfig } from '../../playbook/release-config.js';
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
    const result = loadPlaybook(file, actionCatalog);
    report(file, result.ok ? [] : result.problems.map(formatProblem), result.ok ? ` (${result.loaded.playbook.steps.length} steps)` : '');
  }
  return bad ? EXIT_CODES.usage : EXIT_CODES.ok;
}
