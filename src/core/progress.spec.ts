import { describe, expect, it } from 'vitest';
import { progressReporter, type Progress } from './progress';

describe('progressReporter', () => {
  it('emits initiate, progress with rate and ETA, then done', () => {
    const events: Progress[] = [];
    let t = 0;
    const report = progressReporter('merge', 4, (p) => events.push(p), { now: () => t });
    t = 2000;
    report.advance(1);
    t = 4000;
    report.advance(1);
    report.finish();
    expect(events[0]).toEqual({
      status: 'initiate',
      task: 'merge',
      total: 4,
      totalBytes: undefined,
    });
    expect(events[1]).toMatchObject({ status: 'progress', done: 1, total: 4, rate: 0.5, eta: 6 });
    expect(events[2]).toMatchObject({ status: 'progress', done: 2, rate: 0.5, eta: 4 });
    expect(events[3]).toEqual({
      status: 'done',
      task: 'merge',
      done: 2,
      total: 4,
      bytes: 0,
      seconds: 4,
    });
  });

  it('uses bytes for rate and ETA when a byte total is known', () => {
    const events: Progress[] = [];
    let t = 0;
    const report = progressReporter('write', 2, (p) => events.push(p), {
      totalBytes: 1000,
      now: () => t,
    });
    t = 1000;
    report.advance(1, 250);
    expect(events[1]).toMatchObject({ bytes: 250, rate: 250, eta: 3 });
  });
});
