import { describe, expect, it } from 'vitest';
import { rateAndEta, type JobView } from './job';

const job = (patch: Partial<JobView>): JobView => ({
  phase: 'x',
  done: 0,
  total: 100,
  unit: 'images',
  startedAt: 1000,
  ...patch,
});

describe('rateAndEta', () => {
  it('measures the rate from the wall clock when the worker gives none', () => {
    // 25 of 100 in 5 s: 5 units/s, the other 75 take 15 s.
    expect(rateAndEta(job({ done: 25 }), 6000)).toEqual({ rate: 5, eta: 15 });
  });

  it("prefers the worker's rate and ETA", () => {
    expect(rateAndEta(job({ done: 25, rate: 10, eta: 7 }), 6000)).toEqual({ rate: 10, eta: 7 });
    // A rate without an ETA: the rest at that rate.
    expect(rateAndEta(job({ done: 20, rate: 8 }), 6000)).toEqual({ rate: 8, eta: 10 });
  });

  it('says nothing before the first unit, and no ETA without a total', () => {
    expect(rateAndEta(job({ done: 0 }), 6000)).toEqual({ rate: null, eta: null });
    expect(rateAndEta(job({ done: 4, total: 0 }), 3000)).toEqual({ rate: 2, eta: null });
  });
});
