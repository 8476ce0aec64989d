import { describe, expect, it } from 'vitest';
import { prefetchOneAhead } from './prefetch';

describe('prefetchOneAhead', () => {
  it('starts reading the next item before the current one is consumed, never two ahead', async () => {
    const events: string[] = [];
    const load = async (n: number) => {
      events.push(`load ${n}`);
      return n * 10;
    };
    const got: number[] = [];
    for await (const { item, value } of prefetchOneAhead([1, 2, 3], load)) {
      events.push(`use ${item}`);
      got.push(value);
    }
    expect(got).toEqual([10, 20, 30]);
    expect(events).toEqual(['load 1', 'load 2', 'use 1', 'load 3', 'use 2', 'use 3']);
  });

  it('reads an item marked too big only when it is reached', async () => {
    const events: string[] = [];
    const load = async (n: number) => {
      events.push(`load ${n}`);
      return n;
    };
    for await (const { item } of prefetchOneAhead([1, 2, 3], load, (n) => n !== 2)) {
      events.push(`use ${item}`);
    }
    expect(events).toEqual(['load 1', 'use 1', 'load 2', 'load 3', 'use 2', 'use 3']);
  });

  it('rethrows a failed read where that item is reached', async () => {
    const load = (n: number) => (n === 2 ? Promise.reject(new Error('bad 2')) : Promise.resolve(n));
    const used: number[] = [];
    await expect(
      (async () => {
        for await (const { item } of prefetchOneAhead([1, 2, 3], load)) used.push(item);
      })(),
    ).rejects.toThrow('bad 2');
    expect(used).toEqual([1]);
  });
});
