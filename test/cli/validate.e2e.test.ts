/** Malformed playbooks are refused before anything runs (exit 2), naming file, line and field. */
import { describe, expect, it } from 'vitest';
import { releaseInProcess as release } from '../helpers/in-process.js';
import { testdir } from '../helpers/testdir.js';
import { runIds } from '../helpers/world.js';

const CASES: [string, string, RegExp][] = [
  ['bad YAML', 'name: broken\nsteps:\n  - id: a\n    uses: [unclosed\n', /bad\.yaml:\d+:\d+: /],
  ['unknown action', 'name: x\nsteps:\n  - id: deploy\n    uses: backend/deploi\n', /bad\.yaml:4:11: steps\[0\]\.uses: unknown action "backend\/deploi"/],
  ['missing field', 'name: x\nsteps:\n  - id: deploy\n    with: {}\n', /bad\.yaml:3:5: steps\[0\]\.uses: /],
  ['bad input', 'name: x\nsteps:\n  - id: wall\n    uses: config/enter-maintenance\n    with:\n      wall: sometimes\n', /bad\.yaml:6:13: steps\[0\]\.with\.wall: /],
  ['unknown field', 'name: x\nsteps:\n  - id: a\n    uses: backend/deploy\n    retries: 3\n', /bad\.yaml:5:5: steps\[0\]\.retries: unknown field "retries"/],
  ['duplicate ids', 'name: x\nsteps:\n  - id: a\n    uses: backend/deploy\n  - id: a\n    uses: backend/deploy\n', /bad\.yaml:5:9: steps\[1\]\.id: duplicate step id "a"/],
  ['undeclared input', 'name: x\nsteps:\n  - id: a\n    uses: config/set-maintenance\n    with:\n      "on": ${{ inputs.on }}\n      reason: test it\n', /bad\.yaml:6:13: steps\[0\]\.with\.on: .*input "on" is not declared/],
];

describe('a malformed playbook', () => {
  it.each(CASES)('%s: validate and flip exit 2 naming file, line and field; nothing runs', async (_name, yaml, problem) => {
    const dir = testdir({ 'bad.yaml': yaml });
    const validate = await release(['validate', 'bad.yaml'], { cwd: dir });
    expect(validate.code).toBe(2);
    expect(validate.stderr).toMatch(problem);

    const flip = await release(['flip', 'bad.yaml', '--sandbox'], { cwd: dir });
    expect(flip.code).toBe(2);
    expect(flip.stderr).toMatch(problem);
    expect(runIds(dir)).toEqual([]);
  });

  it('the shipped playbooks and the init template validate', async () => {
    const dir = testdir();
    expect((await release(['init'], { cwd: dir })).code).toBe(0);
    const result = await release(['validate'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    for (const name of ['scenario-a', 'scenario-b', 'emergency-maintenance', 'kill-switch', 'release.config.yaml']) expect(result.stderr).toContain(name);
  });

  it('an invalid release config is reported with its line', async () => {
    const dir = testdir({ 'release.config.yaml': 'app:\n  name: Shop\n  version: two\n  ios: { bundleId: a.b }\n' });
    const result = await release(['flip', '--sandbox'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/release\.config\.yaml:3:12: app\.version: must be a semantic version/);
  });
});
