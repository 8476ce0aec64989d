/**
 * CPU time of a merge from /proc (Linux), and how much of it the WebGPU stack spent. On
 * machines without a GPU, WebGPU runs on Mesa's llvmpipe / lavapipe: the "GPU" work (shader
 * invocations, buffer copies) is done by CPU threads, which a real GPU would not need. On a
 * 2-core machine that work alone bounds a merge's wall time from below (bench/report.ts).
 *
 * Which threads are the WebGPU stack's: in Node, those that did not exist before the GPU
 * device was requested (Dawn's and Mesa's; Mesa's compute pool threads inherit the name of
 * the thread that made them, so names do not tell); in Chromium, the GPU process.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime/stime (USER_HZ: 100 on every Linux build we run). */
const TICKS_PER_SECOND = 100;

export interface CpuTally {
  /** user + system seconds of every thread the process ever had (exited ones included). */
  totalSeconds: number;
  /** user + system seconds of the WebGPU stack's threads (0 where there is none). */
  gpuSideSeconds: number;
}

/**
 * Name and user + system ticks of one /proc/.../stat line. The name sits in parentheses and
 * may itself contain spaces and parentheses, so the fields are counted from the last ')'.
 */
export function parseStat(line: string): { name: string; ticks: number } {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${line.slice(0, 60)}`);
  // After ')': state(3) ppid(4) … utime(14) stime(15): indices 11 and 12 of the rest.
  const rest = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error(`no utime/stime in /proc stat line: ${line.slice(0, 60)}`);
  }
  return { name: line.slice(open + 1, close), ticks: utime + stime };
}

function statTicks(path: string): number {
  try {
    return parseStat(readFileSync(path, 'utf8')).ticks;
  } catch {
    return 0; // The process or thread exited.
  }
}

/** Thread ids of a process now (none if it is gone); `proc`: where procfs is (tests). */
export function threadIds(pid: number, proc = '/proc'): Set<string> {
  try {
    return new Set(readdirSync(`${proc}/${pid}/task`));
  } catch {
    return new Set();
  }
}

/**
 * The CPU tally of a process now (zeros if it is gone). `olderThreads`: the threads that
 * existed before the WebGPU device was requested; every other live thread counts as the
 * WebGPU stack's. Without it nothing does.
 */
export function processCpu(pid: number, olderThreads?: Set<string>, proc = '/proc'): CpuTally {
  const total = statTicks(`${proc}/${pid}/stat`);
  let gpu = 0;
  if (olderThreads) {
    for (const tid of threadIds(pid, proc)) {
      if (!olderThreads.has(tid)) gpu += statTicks(`${proc}/${pid}/task/${tid}/stat`);
    }
  }
  return { totalSeconds: total / TICKS_PER_SECOND, gpuSideSeconds: gpu / TICKS_PER_SECOND };
}

/** A whole process as the WebGPU stack's (Chromium's GPU process). */
export function gpuProcessCpu(pid: number, proc = '/proc'): CpuTally {
  const total = statTicks(`${proc}/${pid}/stat`) / TICKS_PER_SECOND;
  return { totalSeconds: total, gpuSideSeconds: total };
}

/** Sum of several tallies. */
export function sumCpu(tallies: CpuTally[]): CpuTally {
  return tallies.reduce(
    (a, t) => ({
      totalSeconds: a.totalSeconds + t.totalSeconds,
      gpuSideSeconds: a.gpuSideSeconds + t.gpuSideSeconds,
    }),
    { totalSeconds: 0, gpuSideSeconds: 0 },
  );
}

/** after − before, per field. */
export function cpuSince(before: CpuTally, after: CpuTally): CpuTally {
  return {
    totalSeconds: after.totalSeconds - before.totalSeconds,
    gpuSideSeconds: after.gpuSideSeconds - before.gpuSideSeconds,
  };
}
