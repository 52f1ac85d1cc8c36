/** Which state backend a command uses, from RELEASE_STATE_URL or the config's `state:` section. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_TEMPLATE } from '../../src/playbook/config-template.js';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { testdir } from '../helpers/testdir.js';

function project(stateSection: string): string {
  const dir = testdir();
  writeFileSync(join(dir, 'release.config.yaml'), `${CONFIG_TEMPLATE}\n${stateSection}\n`);
  return dir;
}

describe('state backend choice', () => {
  it('state: { backend: local } needs no url: runs stay in .release/', async () => {
    const dir = project('state:\n  backend: local');
    const runs = await release(['runs', '--json'], { cwd: dir });
    expect(runs.code, runs.stderr).toBe(0);
  });

  it('backend: postgres without a url names the missing field and the shape', async () => {
    const dir = project('state:\n  backend: postgres');
    const runs = await release(['runs'], { cwd: dir });
    expect(runs.code).toBe(2);
    expect(runs.stderr).toContain('state.url is required with backend: postgres');
    expect(runs.stderr).toContain('url: { env: RELEASE_STATE_URL }');
  });

  it('--config names the file whose state section counts, also for commands that only read runs', async () => {
    const dir = project('state:\n  backend: postgres');
    const elsewhere = testdir();
    const runs = await release(['runs', '--config', join(dir, 'release.config.yaml')], { cwd: elsewhere });
    expect(runs.code).toBe(2);
    expect(runs.stderr).toContain('state.url is required with backend: postgres');
  });

  it('backend: postgres whose env var is unset says which one, before touching anything', async () => {
    const dir = project('state:\n  backend: postgres\n  url: { env: TEAM_STATE_DB }');
    const runs = await release(['runs'], { cwd: dir, env: { TEAM_STATE_DB: '' } });
    expect(runs.code).toBe(2);
    expect(runs.stderr).toContain('TEAM_STATE_DB is not set');
  });
});
