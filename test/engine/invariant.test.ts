import { describe, expect, it } from 'vitest';
import { wallViolations } from '../../src/engine/invariant.js';

const keys = {
  maintenance: 'maintenance_mode',
  platforms: { ios: { minimum: 'ios.minimum_version', latest: 'ios.latest_version' }, android: { minimum: 'android.minimum_version', latest: 'android.latest_version' } },
};
const doc = (maintenance: boolean, ios: string, android: string) => ({
  maintenance_mode: maintenance,
  ios: { minimum_version: ios, latest_version: ios },
  android: { minimum_version: android, latest_version: android },
});

describe('the wall invariant', () => {
  it('holds with maintenance on, whatever the versions', () => {
    expect(wallViolations(doc(true, '1.0.0', '1.0.0'), keys, '2.0.0')).toEqual([]);
  });

  it('holds with maintenance off once every minimum_version reached the new version', () => {
    expect(wallViolations(doc(false, '2.0.0', '2.1.0'), keys, '2.0.0')).toEqual([]);
  });

  it('names each platform whose old apps would reach the new backend', () => {
    const problems = wallViolations(doc(false, '2.0.0', '1.9.9'), keys, '2.0.0');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^android: maintenance_mode is off and android\.minimum_version is "1\.9\.9", below 2\.0\.0/);
  });

  it('treats a missing minimum_version as no wall', () => {
    expect(wallViolations({ maintenance_mode: false, ios: { minimum_version: '2.0.0' } }, keys, '2.0.0')).toHaveLength(1);
  });
});
