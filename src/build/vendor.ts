/**
 * `npm run build`, with the bundle: the yaml package bundled into one CommonJS file,
 * dist/vendor/yaml.cjs, which util/yaml.ts loads (it says why). Built from the yaml that
 * node_modules holds, so the version is the lockfile's; shipped with the package (package.json
 * `files`).
 */
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { VENDORED_YAML } from '../util/yaml.js';

export async function vendorYaml(root = process.cwd()): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: [createRequire(join(root, 'package.json')).resolve('yaml')],
    outfile: join(root, 'dist', VENDORED_YAML),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
}
