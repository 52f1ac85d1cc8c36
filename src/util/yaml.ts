/**
 * The yaml package, loaded on first use (a run that reads only the shipped files, a --sandbox flip
 * or validate right after init, never loads it). From the one file the build bundled it into
 * (dist/vendor/yaml.cjs, src/build/vendor.ts), the same version as node_modules holds: required as
 * its 72 files it cost ~22 ms of every command that parses an edited config or playbook, as one
 * file ~7 ms. Where there is no build (the tests run the sources), the package itself.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

type Yaml = typeof import('yaml');

/** Where the build writes it, under dist/ (src/build/vendor.ts). */
export const VENDORED_YAML = 'vendor/yaml.cjs';

let loaded: Yaml | undefined;

export function yaml(): Yaml {
  if (loaded) return loaded;
  // dist/vendor/ seen from dist/util/ and from dist/bundle/ alike.
  const vendored = fileURLToPath(new URL(`../${VENDORED_YAML}`, import.meta.url));
  const require = createRequire(import.meta.url);
  return (loaded = (existsSync(vendored) ? require(vendored) : require('yaml')) as Yaml);
}
