import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cpuSince, gpuProcessCpu, parseStat, processCpu, sumCpu, threadIds } from './thread-cpu';

/** A /proc stat line with the given name and utime/stime ticks (other fields as Linux has them). */
function statLine(pid: number, name: string, utime: number, stime: number): string {
  const after = ['S', 1, pid, pid, 0, -1, 4194560, 10, 0, 0, 0, utime, stime, 0, 0, 20, 0, 4];
  return `${pid} (${name}) ${after.join(' ')}\n`;
}

describe('thread CPU tally', () => {
  const root = mkdtempSync(join(tmpdir(), 'fake-proc-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads utime + stime after the last parenthesis, whatever the name holds', () => {
    expect(parseStat(statLine(7, 'a) b (c', 120, 30))).toEqual({ name: 'a) b (c', ticks: 150 });
    expect(() => parseStat('garbage')).toThrow('not a /proc stat line');
  });

  it('counts the threads made after the GPU was requested as the WebGPU stack', () => {
    mkdirSync(join(root, '42', 'task', '43'), { recursive: true });
    mkdirSync(join(root, '42', 'task', '44'), { recursive: true });
    mkdirSync(join(root, '42', 'task', '45'), { recursive: true });
    writeFileSync(join(root, '42', 'stat'), statLine(42, 'chromium', 900, 100));
    writeFileSync(join(root, '42', 'task', '43', 'stat'), statLine(43, 'llvmpipe-0', 300, 20));
    writeFileSync(join(root, '42', 'task', '44', 'stat'), statLine(44, 'llvmpipe-1', 250, 30));
    writeFileSync(join(root, '42', 'task', '45', 'stat'), statLine(45, 'node', 99, 0));
    const older = new Set(['45']);
    expect(threadIds(42, root)).toEqual(new Set(['43', '44', '45']));
    const t = processCpu(42, older, root);
    expect(t.totalSeconds).toBeCloseTo(10, 9);
    expect(t.gpuSideSeconds).toBeCloseTo(6, 9);
    // Without the older threads nothing is the GPU's; a whole GPU process is.
    expect(processCpu(42, undefined, root).gpuSideSeconds).toBe(0);
    expect(gpuProcessCpu(42, root)).toEqual({ totalSeconds: 10, gpuSideSeconds: 10 });
    // A process that is gone counts nothing rather than failing the measurement.
    expect(processCpu(999, older, root)).toEqual({ totalSeconds: 0, gpuSideSeconds: 0 });
    const later = { totalSeconds: 12.5, gpuSideSeconds: 7 };
    expect(cpuSince(t, later).totalSeconds).toBeCloseTo(2.5, 9);
    expect(sumCpu([t, later]).gpuSideSeconds).toBeCloseTo(13, 9);
  });

  it('agrees with getrusage on the CPU this process spends', () => {
    const before = processCpu(process.pid);
    const usage = process.cpuUsage();
    const used = () => {
      const u = process.cpuUsage(usage);
      return (u.user + u.system) / 1e6;
    };
    let x = 0;
    while (used() < 0.3) x += Math.sqrt(x + 1);
    const spent = cpuSince(before, processCpu(process.pid)).totalSeconds;
    const rusage = used();
    expect(x).toBeGreaterThan(0);
    // Both count every thread of the process; /proc in 10 ms ticks.
    expect(Math.abs(spent - rusage)).toBeLessThan(0.05);
  });
});
