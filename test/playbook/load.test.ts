import { describe, expect, it } from 'vitest';
import { actionCatalog } from '../../src/actions/registry.js';
import { loadPlaybook, resolvePlaybook } from '../../src/playbook/load.js';
import { formatProblem } from '../../src/playbook/yaml-source.js';
import { interpolate } from '../../src/playbook/interpolate.js';

const vars = { release: { version: '2.0.0', backendVersion: '2.0.0' }, app: { name: 'Shop', version: '2.0.0', wall: 'maintenance' } };

const EMERGENCY = `name: e
inputs:
  "on": { type: boolean, required: true }
  reason: { required: true }
steps:
  - id: set
    uses: config/set-maintenance
    with:
      "on": \${{ inputs.on }}
      reason: "\${{ inputs.reason }} (app \${{ app.name }})"
`;

describe('playbooks', () => {
  it('resolve ${{ }} expressions, keeping a whole expression typed', () => {
    const loaded = loadPlaybook('e.yaml', actionCatalog, EMERGENCY);
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    const resolved = resolvePlaybook(loaded.loaded, actionCatalog, vars, { on: 'true', reason: 'crash loop' });
    if (!resolved.ok) throw new Error(resolved.problems.map(formatProblem).join('\n'));
    expect(resolved.playbook.steps[0]!.with).toEqual({ on: true, reason: 'crash loop (app Shop)' });
  });

  it('refuse missing, unknown and ill-typed inputs, at their line', () => {
    const loaded = loadPlaybook('e.yaml', actionCatalog, EMERGENCY);
    if (!loaded.ok) throw new Error('should load');
    const missing = resolvePlaybook(loaded.loaded, actionCatalog, vars, { on: 'true' });
    expect(!missing.ok && missing.problems.map(formatProblem)).toEqual(['e.yaml:4:11: inputs.reason: input "reason" is required: pass --var reason=<value>']);
    const typed = resolvePlaybook(loaded.loaded, actionCatalog, vars, { on: 'maybe', reason: 'x' });
    expect(!typed.ok && typed.problems[0]!.message).toBe('input "on" must be true or false, got "maybe"');
    const unknown = resolvePlaybook(loaded.loaded, actionCatalog, vars, { on: 'true', reason: 'xyz', colour: 'red' });
    expect(!unknown.ok && unknown.problems[0]!.message).toContain('--var colour: this playbook declares no such input');
  });

  it('check an interpolated value against the action once resolved', () => {
    const loaded = loadPlaybook('e.yaml', actionCatalog, EMERGENCY);
    if (!loaded.ok) throw new Error('should load');
    const resolved = resolvePlaybook(loaded.loaded, actionCatalog, vars, { on: 'true', reason: '' });
    expect(resolved.ok).toBe(true); // "" + " (app Shop)" is long enough
  });

  it('interpolation names the undefined variable', () => {
    expect(() => interpolate('${{ release.nope }}', vars)).toThrow(/release\.nope \}\} is not defined/);
  });

  it('reject a second pivot', () => {
    const result = loadPlaybook('p.yaml', actionCatalog, 'name: p\nsteps:\n  - id: a\n    uses: store/publish\n  - id: b\n    uses: store/publish\n');
    expect(!result.ok && result.problems.map(formatProblem)).toEqual(['p.yaml:6:11: steps[1].uses: only one pivot (irreversible publish) per playbook; "b" is a second one']);
  });
});
