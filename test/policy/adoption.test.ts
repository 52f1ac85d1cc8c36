/** Adoption holds the floor back: the candidates and the hold-back rule, on readings given by hand. */
import { describe, expect, it } from 'vitest';
import { candidateFloors, holdBack, type AdoptionReading } from '../../src/policy/adoption.js';

const share = (version: string, value?: number): AdoptionReading => ({ version, ...(value !== undefined ? { share: value } : {}), detail: 'test' });

describe('adoption holds the floor back', () => {
  it('the candidates are the released versions above the floor in force, up to the proposed floor, highest first', () => {
    expect(candidateFloors(['1.2.0', '1.3.0', '1.3.5', '1.3.8', '1.4.0', '1.4.2', '1.3.8'], '1.4.0', '1.3.0')).toEqual(['1.4.0', '1.3.8', '1.3.5']);
    expect(candidateFloors(['1.2.0', '1.4.0'], '1.4.0', undefined)).toEqual(['1.4.0', '1.2.0']);
  });

  it('a share within the threshold raises the floor to the proposed one', () => {
    expect(holdBack({ proposed: '1.4.0', current: '1.3.0', maxShareBelow: 5, readings: [share('1.4.0', 5)] })).toMatchObject({ floor: '1.4.0', held: false, reason: '5 % of sessions are below 1.4.0, within 5 %' });
  });

  it('a share above it holds the floor back to the highest candidate whose share below is within it', () => {
    const decision = holdBack({ proposed: '1.4.0', current: '1.3.0', maxShareBelow: 5, readings: [share('1.4.0', 12), share('1.3.8', 7), share('1.3.5', 4)] });
    expect(decision).toMatchObject({ floor: '1.3.5', held: true });
    expect(decision.reason).toBe('12 % of sessions are below 1.4.0, above 5 %: held back to 1.3.5 (4 % below it)');
  });

  it('no candidate within it: the floor is not raised', () => {
    expect(holdBack({ proposed: '1.4.0', current: '1.3.0', maxShareBelow: 5, readings: [share('1.4.0', 12), share('1.3.8', 9)] })).toMatchObject({ floor: '1.3.0', held: true, reason: expect.stringContaining('the floor stays at 1.3.0') });
  });

  it('no data: the floor is not raised past the floor in force on that evidence, even if a lower candidate would read within', () => {
    const decision = holdBack({ proposed: '1.4.0', current: '1.3.0', maxShareBelow: 5, readings: [share('1.4.0', 12), share('1.3.8'), share('1.3.5', 1)] });
    expect(decision).toMatchObject({ floor: '1.3.0', held: true, readings: [share('1.4.0', 12), share('1.3.8')] });
    expect(decision.reason).toContain('no adoption data for 1.3.8');
    expect(holdBack({ proposed: '1.4.0', maxShareBelow: 5, readings: [share('1.4.0')] }).floor).toBeUndefined();
  });
});
