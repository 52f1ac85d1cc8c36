/** The README's example blocks, which tests run as written. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** The first ```sh block under the heading. */
export function readmeShBlock(heading: string): string {
  const readme = readFileSync(README, 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const match = /```sh\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error(`no sh block under "${heading}" in the README`);
  return match[1]!;
}

/** The first ```yaml block under the heading that starts with `first` (say `name: release`). */
export function readmeYamlBlock(heading: string, first: string): string {
  const readme = readFileSync(README, 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const block = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].find((m) => m[1]!.startsWith(first));
  if (!block) throw new Error(`no yaml block starting "${first}" under "${heading}" in the README`);
  return block[1]!;
}
