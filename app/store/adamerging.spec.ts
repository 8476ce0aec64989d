import { afterEach, describe, expect, it, vi } from 'vitest';
import { useStudio } from './index';

describe('AdaMerging pause and the step rate', () => {
  afterEach(() => vi.restoreAllMocks());

  it('moves the start later by the paused time, so rate and ETA count learning only', () => {
    let now = 1_000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const s = () => useStudio.getState();
    s().adaStarted();
    expect(s().adaStartedAt).toBe(1_000);
    now = 3_000; // learned 2 s
    s().adaSetStatus('paused');
    expect(s().adaPausedAt).toBe(3_000);
    now = 10_000; // paused 7 s
    s().adaSetStatus('paused'); // a second pause message changes nothing
    expect(s().adaPausedAt).toBe(3_000);
    s().adaSetStatus('running');
    expect(s().adaPausedAt).toBeNull();
    expect(s().adaStartedAt).toBe(8_000); // 10 s now − 2 s of learning
    s().adaSetStatus('running');
    expect(s().adaStartedAt).toBe(8_000);
  });
});
