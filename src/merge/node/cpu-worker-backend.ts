/**
 * Node-only: the CPU reference in worker threads, so the main thread stays free to handle
 * Ctrl-C (tsx, which runs the CLI, SIGKILLs a child that does not answer a signal within
 * ~60 ms) and to read the next inputs. Same results as createCpuBackend(): it runs the same code.
 *
 * One worker per core, at most 2 (see defaultCpuThreads). A chunk of a streamed tensor (a job
 * the executor marked `splitRow`) is split into one range of whole rows per worker, each filling
 * its part of the shared output array in place; a model-scope selection keeps one share per
 * worker and adds up their histograms (parallel-selector.ts). Whole-tensor jobs run on one
 * worker. Inputs and outputs in SharedArrayBuffer memory (the executor's pools, see
 * sharedBuffers) are not copied.
 *
 * MagnitudeSelector.needsAnotherPass() is synchronous in the contract, so this selector needs
 * the optional async closePass() hook, which the executor awaits before needsAnotherPass().
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import type { MagnitudeSelector, MergeBackend, RawTensor, TensorJob } from '../backend';
import { DEFAULT_CANDIDATE_BYTES } from '../cpu/magnitude-selector';
import { isSharedBuffer } from '../executor/read-buffers';
import { parallelSelector, type SelectorShare } from '../parallel-selector';
import type { HistogramPart } from '../radix-threshold';
import { jobRange, jobRanges } from '../split-job';
import type { WorkerRequest, WorkerResponse } from './cpu-worker-protocol';

type Pending = { resolve: (r: WorkerResponse & { ok: true }) => void; reject: (e: Error) => void };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A raw tensor the worker can have: in SharedArrayBuffer memory (the executor's pooled
 * buffers, see sharedBuffers) it is passed as it is — both threads see the same bytes, nothing
 * is copied or detached; otherwise its bytes are copied into a buffer of their own, unless
 * they already fill one, and that buffer is transferred.
 */
function owned(raw: RawTensor): RawTensor {
  const b = raw.bytes;
  if (isSharedBuffer(b.buffer)) return raw;
  const whole = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;
  return whole && b.buffer instanceof ArrayBuffer ? raw : { dtype: raw.dtype, bytes: b.slice() };
}

/** The tensor itself in shared memory, else a copy of its bytes (to transfer). */
function sharedOrCopy(r: RawTensor): RawTensor {
  return isSharedBuffer(r.bytes.buffer) ? r : { dtype: r.dtype, bytes: r.bytes.slice() };
}

function transferList(raws: RawTensor[]): ArrayBuffer[] {
  const buffers = raws.map((r) => r.bytes.buffer).filter((b) => !isSharedBuffer(b));
  return [...new Set(buffers as ArrayBuffer[])];
}

/** The job with inputs the worker can have, and the buffers to transfer. */
function transferable(job: TensorJob): { job: TensorJob; buffers: ArrayBuffer[] } {
  let out: TensorJob;
  let raws: RawTensor[];
  if (job.kind === 'slerp') {
    out = { ...job, a: owned(job.a), b: owned(job.b) };
    raws = [out.a, out.b];
  } else if (job.kind === 'linear' || (job.kind === 'tensor_method' && !job.base)) {
    out = { ...job, models: job.models.map(owned) };
    raws = out.models;
  } else {
    const base = owned(job.base!);
    out = { ...job, base, models: job.models.map(owned) };
    raws = [base, ...out.models];
  }
  // An output array in shared memory is filled in place; any other stays here.
  if (out.output && !isSharedBuffer(out.output.buffer)) delete out.output;
  return { job: out, buffers: transferList(raws) };
}

/**
 * The worker's code as one CommonJS script, bundled from cpu-worker.ts on first use (esbuild,
 * ≈ 0.2 s; the CLI runs the TypeScript sources under tsx). Loading the TypeScript through
 * tsx's API inside each worker cost ≈ 34 MiB per worker (its loader-hooks thread and the
 * per-module transforms); the bundle costs ≈ 10.
 */
let workerSource: string | undefined;
function bundledWorker(): string {
  if (workerSource !== undefined) return workerSource;
  const result = buildSync({
    entryPoints: [fileURLToPath(new URL('./cpu-worker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  workerSource = result.outputFiles[0]!.text;
  return workerSource;
}

interface CpuWorkerThread {
  call(req: DistributiveOmit<WorkerRequest, 'id'>, transfer?: ArrayBuffer[]): Promise<Reply>;
  terminate(): void;
}
type Reply = WorkerResponse & { ok: true };

function startWorker(): CpuWorkerThread {
  const worker = new Worker(bundledWorker(), { eval: true });
  worker.unref();
  let nextId = 1;
  const pending = new Map<number, Pending>();
  let failure: Error | undefined;
  worker.on('message', (r: WorkerResponse) => {
    const p = pending.get(r.id);
    pending.delete(r.id);
    if (!p) return;
    if (r.ok) p.resolve(r);
    else p.reject(new Error(r.error));
  });
  const failAll = (e: Error) => {
    failure = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the CPU merge worker exited (code ${code})`)));
  return {
    call: (req, transfer = []) =>
      new Promise<Reply>((resolve, reject) => {
        if (failure) return reject(failure);
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ ...req, id }, transfer);
      }).finally(() => {
        if (pending.size === 0) worker.unref();
      }),
    terminate: () => void worker.terminate(),
  };
}

export interface CpuWorkerOptions {
  /** Worker threads (default: one per core, at most MAX_DEFAULT_CPU_THREADS). */
  threads?: number;
  /** Chunk jobs and selection chunks shorter than this are not split across threads. */
  minSplitElements?: number;
}

/**
 * Default worker count: one per core (the main thread mostly waits on reads), at most 2. Each
 * worker holds its own kernels' memory, scratch and selection shares: on the 2 GB bench pool
 * four workers took TIES to 327 MiB and Breadcrumbs to 407 MiB peak (two: 288 / 297), past the
 * 320 MiB bound, and more than two cores were not available to measure what they gain.
 */
export const MAX_DEFAULT_CPU_THREADS = 2;
export function defaultCpuThreads(): number {
  return Math.max(1, Math.min(MAX_DEFAULT_CPU_THREADS, availableParallelism()));
}

/** The backend, and how many jobs and selection chunks it split across threads so far. */
export type CpuWorkerBackend = MergeBackend & { readonly splitCalls: number };

export function createCpuWorkerBackend(options: CpuWorkerOptions = {}): CpuWorkerBackend {
  const threads = Array.from({ length: Math.max(1, options.threads ?? defaultCpuThreads()) }, () =>
    startWorker(),
  );
  const minSplit = options.minSplitElements ?? 1 << 16;
  let nextSelector = 1;
  let splitCalls = 0;

  /** A job's parts, one per thread; each part's output (when shared) is filled in place. */
  const ranges = (job: TensorJob) => {
    const shared = job.output !== undefined && isSharedBuffer(job.output.buffer);
    return shared ? jobRanges(job, threads.length, minSplit) : [[0, job.numel] as [number, number]];
  };

  const share = (thread: CpuWorkerThread, selector: number): SelectorShare => ({
    async add(model, base, tuned) {
      // Copies unless shared: the executor hands the same base to every model's add().
      const b = sharedOrCopy(base);
      const t = sharedOrCopy(tuned);
      await thread.call(
        { op: 'shareAdd', selector, model, base: b, tuned: t },
        transferList([b, t]),
      );
    },
    async addAll(base, models) {
      const b = sharedOrCopy(base);
      const m = models.map(sharedOrCopy);
      await thread.call(
        { op: 'shareAddAll', selector, base: b, models: m },
        transferList([b, ...m]),
      );
    },
    async takeHistograms() {
      return (await thread.call({ op: 'shareTake', selector })).counts as HistogramPart[];
    },
    async settle(highs) {
      return (await thread.call({ op: 'shareSettle', selector, highs })).counts!;
    },
    async decide(thresholds) {
      await thread.call({
        op: 'shareDecide',
        selector,
        thresholds: thresholds.map((t) => t ?? null),
      });
    },
    async drop() {
      await thread.call({ op: 'shareDrop', selector });
    },
  });

  const createMagnitudeSelector = (
    densities: number[],
    total: number,
    candidateBytes?: number,
  ): MagnitudeSelector => {
    const selector = nextSelector++;
    // The candidate bands' memory is split between the shares: the total stays the same.
    const perShare = Math.floor((candidateBytes ?? DEFAULT_CANDIDATE_BYTES) / threads.length);
    const created = Promise.all(
      threads.map((t) =>
        t.call({
          op: 'shareCreate',
          selector,
          densities,
          total,
          candidateBytes: perShare,
        }),
      ),
    );
    created.catch(() => undefined);
    const shares = threads.map((t) => share(t, selector));
    const after =
      <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
      async (...a: A): Promise<R> => {
        await created;
        return f(...a);
      };
    return parallelSelector(
      densities,
      total,
      shares.map((s) => ({ ...s, add: after(s.add), addAll: after(s.addAll) })),
      { minSplitElements: minSplit, onSplit: () => splitCalls++ },
    );
  };

  return {
    get splitCalls() {
      return splitCalls;
    },
    name: 'cpu',
    sharedBuffers: typeof SharedArrayBuffer === 'function',
    async mergeTensor(job) {
      const parts = ranges(job);
      if (parts.length === 1) {
        const t = transferable(job);
        const reply = await threads[0]!.call({ op: 'merge', job: t.job }, t.buffers);
        // Filled in place: hand back the caller's own array (its pool knows that object).
        const output = t.job.output;
        if (reply.inPlace && output) return { ...reply.result!, merged: output };
        return reply.result!;
      }
      splitCalls++;
      const replies = await Promise.all(
        parts.map(([b, e], i) => {
          const t = transferable(jobRange(job, b, e));
          return threads[i]!.call({ op: 'merge', job: t.job }, t.buffers).then((reply) => {
            // A part that did not fill its output view in place: copy it there.
            if (!reply.inPlace) job.output!.set(reply.result!.merged, b);
            return reply.result!.nonFinite;
          });
        }),
      );
      const counted = replies.every((n) => n !== undefined);
      return {
        merged: job.output!,
        ...(counted ? { nonFinite: replies.reduce<number>((a, n) => a + (n ?? 0), 0) } : {}),
      };
    },
    async electedSignSum(job) {
      // A sum of signs: the parts' sums add up exactly (integers in doubles).
      const parts = jobRanges(job, threads.length, minSplit);
      if (parts.length > 1) splitCalls++;
      const sums = await Promise.all(
        parts.map(([b, e], i) => {
          const t = transferable(parts.length === 1 ? job : (jobRange(job, b, e) as typeof job));
          return threads[i]!.call({ op: 'signSum', job: t.job as typeof job }, t.buffers);
        }),
      );
      return sums.reduce((a, r) => a + (r.value as number), 0);
    },
    createMagnitudeSelector,
    dispose() {
      for (const t of threads) t.terminate();
    },
  };
}
