/** Finds a playbook by path or by name: the project's playbooks/ first, then the built-in ones. */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { usageError } from '../errors.js';

/** `playbooks/` shipped with the tool (two levels up from src/playbook, dist/playbook and the bundle's dist/bundle). */
export const BUILTIN_PLAYBOOKS = fileURLToPath(new URL('../../playbooks/', import.meta.url));

export function playbookDirs(projectDir: string): string[] {
  const dirs = [join(projectDir, 'playbooks'), BUILTIN_PLAYBOOKS];
  return dirs.filter((d, i) => existsSync(d) && dirs.findIndex((o) => resolve(o) === resolve(d)) === i);
}

export function locatePlaybook(ref: string, cwd: string, projectDir: string): string {
  if (/\.ya?ml$/.test(ref) || ref.includes('/')) {
    const file = resolve(cwd, ref);
    if (!existsSync(file)) throw usageError(`Playbook file ${file} does not exist.`);
    return file;
  }
  for (const dir of playbookDirs(projectDir)) {
    for (const ext of ['.yaml', '.yml']) {
      const file = join(dir, `${ref}${ext}`);
      if (existsSync(file)) return file;
    }
  }
  throw usageError(`No playbook named "${ref}".`, `Available: ${listPlaybooks(projectDir).join(', ')}.`);
}

export function playbookFiles(projectDir: string): string[] {
  const seen = new Set<string>();
  return playbookDirs(projectDir).flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(dir, f))
      .filter((f) => {
        const name = basename(f).replace(/\.ya?ml$/, '');
        if (seen.has(name)) return false;
        return seen.add(name), true;
      }),
  );
}

export function listPlaybooks(projectDir: string): string[] {
  return playbookFiles(projectDir).map((f) => basename(f).replace(/\.ya?ml$/, ''));
}
