/**
 * The package as a user gets it: the README's install block runs as written (npm pack, then
 * npm install -g of the tarball) into a temporary prefix, with a registry on 127.0.0.1 serving the
 * locked dependencies from the npm cache (no internet). The installed `release` then flips the
 * sandbox from an empty directory, with dist/ built by the pack and no dev dependency present.
 */
import { execa } from 'execa';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNpmRegistry, type NpmRegistry } from '../emulators/npm-registry.js';
import { cliEnv } from '../helpers/cli.js';
import { suiteDir, testdir } from '../helpers/testdir.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };

/** The sh block under "## Install" that installs the package (the one before it clones and runs npm ci). */
function readmeInstallBlock(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Install\n');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const block = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('npm install -g'));
  if (start < 0 || !block) throw new Error('no sh block with `npm install -g` under "## Install" in the README');
  return block;
}

describe('the installable package', () => {
  let registry: NpmRegistry;
  const work = suiteDir();
  let prefix: string;
  let installed: string;
  let env: Record<string, string>;
  let install: { exitCode?: number; stdout: string; stderr: string };

  beforeAll(async () => {
    // A copy of what a clone holds (node_modules shared, as after `npm ci`): the pack builds dist/
    // here, never under the repository's dist/ that the other tests are running.
    const clone = join(work, 'release-tool');
    mkdirSync(clone);
    for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'bin', 'src', 'playbooks']) cpSync(join(ROOT, entry), join(clone, entry), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));

    const npmCache = (await execa('npm', ['config', 'get', 'cache'])).stdout.trim();
    registry = await startNpmRegistry({ lockfile: join(ROOT, 'package-lock.json'), npmCache });
    prefix = join(work, 'prefix');
    installed = join(prefix, 'lib', 'node_modules', pkg.name);
    env = cliEnv({
      npm_config_prefix: prefix,
      npm_config_registry: `${registry.url}/`,
      npm_config_cache: join(work, 'npm-cache'),
      // No user .npmrc: a scoped registry or proxy configured there must not send this install out.
      npm_config_userconfig: join(work, 'no-user-npmrc'),
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    });
    const script = `set -euo pipefail\n${readmeInstallBlock()}`;
    install = await execa('bash', ['-c', script], { cwd: clone, env, extendEnv: false, reject: false, stdin: 'ignore', all: false });
  }, 240_000);

  afterAll(async () => {
    await registry?.stop();
  });

  it("the README's install block packs and installs it", () => {
    expect(install.exitCode, `${install.stdout}\n${install.stderr}`).toBe(0);
    expect(existsSync(join(prefix, 'bin', 'release'))).toBe(true);
    // The runtime dependencies are the versions the suite tested (the lockfile's).
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    for (const dep of Object.keys(pkg.dependencies)) {
      const locked = lock.packages[`node_modules/${dep}`]?.version;
      const got = (JSON.parse(readFileSync(join(installed, 'node_modules', dep, 'package.json'), 'utf8')) as { version: string }).version;
      expect(got, dep).toBe(locked);
    }
    expect(registry.served.length).toBeGreaterThan(Object.keys(pkg.dependencies).length);
  });

  it('ships the bundle (built by the pack) with the JSON Schemas, and no sources, tests, source maps or unbundled modules', () => {
    expect(existsSync(join(installed, 'dist', 'bundle', 'main.js'))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'parsed-builtins.json'))).toBe(true);
    expect(readdirSync(join(installed, 'dist', 'schemas')).sort()).toEqual(['playbook.schema.json', 'release-config.schema.json']);
    expect(existsSync(join(installed, 'playbooks', 'scenario-b.yaml'))).toBe(true);
    for (const absent of ['src', 'test', 'tsconfig.json', join('dist', 'cli'), join('dist', 'build'), join('dist', 'bundle', 'meta.json')]) expect(existsSync(join(installed, absent)), absent).toBe(false);
  });

  it('installs no package that only development needs', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, entry]) => entry.dev && path.startsWith('node_modules/') && !path.slice(13).includes('node_modules/'));
    expect(devOnly.length).toBeGreaterThan(0);
    const present = devOnly.map(([path]) => path).filter((path) => existsSync(join(installed, path)));
    expect(present).toEqual([]);
  });

  it('the installed `release` flips the sandbox from an empty directory', async () => {
    const empty = testdir();
    const path = `${join(prefix, 'bin')}:${env.PATH ?? ''}`;
    const version = await execa('release', ['--version'], { cwd: empty, env: { ...env, PATH: path }, extendEnv: false, reject: false, stdin: 'ignore' });
    expect(version.stdout.trim()).toBe(pkg.version);
    const flip = await execa('release', ['flip', '--sandbox', '--json'], { cwd: empty, env: { ...env, PATH: path }, extendEnv: false, reject: false, stdin: 'ignore' });
    expect(flip.exitCode, flip.stderr).toBe(0);
    const last = JSON.parse(flip.stdout.trim().split('\n').at(-1)!) as { type: string; status?: string };
    expect(last).toMatchObject({ type: 'run.exit', status: 'succeeded' });
  });
});
