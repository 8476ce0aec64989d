import { describe, expect, it } from 'vitest';
import { PauseToken } from '../adapt';
import type { LoadedZoo } from '../zoo';
import { setPaused } from './adamerging/run';
import { StudioSession } from './session';

const fakeZoo = { manifest: { tasks: [] } } as unknown as LoadedZoo;

function session(loadZoo: () => Promise<LoadedZoo> = async () => fakeZoo) {
  let devices = 0;
  const s = new StudioSession({
    loadZoo,
    tfDevice: async (owner) => {
      devices++;
      expect(owner).toBe(s); // the set-up sees the session's preferences
      return 'cpu';
    },
  });
  return { s, devices: () => devices };
}

describe('StudioSession', () => {
  it('sets the zoo and the tfjs device up once per session, and sessions share nothing', async () => {
    let loads = 0;
    const a = session(async () => (loads++, fakeZoo));
    expect(await a.s.theZoo()).toBe(fakeZoo);
    await a.s.theZoo();
    await a.s.tfDevice();
    await a.s.tfDevice();
    expect([loads, a.devices()]).toEqual([1, 1]);
    const b = session(async () => (loads++, fakeZoo));
    await b.s.theZoo();
    expect(loads).toBe(2);
    a.s.lastMerged = new Uint8Array(1);
    expect(b.s.lastMerged).toBeNull();
    expect(b.s.registry).not.toBe(a.s.registry);
  });

  it('tries the zoo again after a failed load', async () => {
    let attempt = 0;
    const { s } = session(async () => {
      if (attempt++ === 0) throw new Error('not built');
      return fakeZoo;
    });
    await expect(s.theZoo()).rejects.toThrow('not built');
    expect(await s.theZoo()).toBe(fakeZoo);
  });

  it('pauses only its own AdaMerging run', async () => {
    const { s } = session();
    const other = session().s;
    expect(await setPaused(s, { paused: true })).toEqual({ paused: false }); // nothing runs
    s.adamergingPause = new PauseToken();
    expect(await setPaused(s, { paused: true })).toEqual({ paused: true });
    expect(await setPaused(other, { paused: true })).toEqual({ paused: false });
    expect(await setPaused(s, { paused: false })).toEqual({ paused: false });
  });
});
