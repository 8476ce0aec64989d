/**
 * Node-only: the CPU reference in a worker thread, so the main thread stays free to handle
 * Ctrl-C (tsx, which runs the CLI, SIGKILLs a child that does not answer a signal within
 * ~60 ms) and to read the next inputs. Same results as createCpuBackend(): it runs the same code.
 *
 * MagnitudeSelector.needsAnotherPass() is synchronous in the contract, so this selector needs
 * the optional async closePass() hook, which the executor awaits before needsAnotherPass().
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { MagnitudeSelector, MergeBackend, RawTensor, TensorJob } from '../backend';
import { isSharedBuffer } from '../executor/read-buffers';
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
  } else if (job.kind === 'linear') {
    out = { ...job, models: job.models.map(owned) };
    raws = out.models;
  } else {
    out = { ...job, base: owned(job.base), models: job.models.map(owned) };
    raws = [out.base, ...out.models];
  }
  // An output array in shared memory is filled in place; any other stays here.
  if (out.output && !isSharedBuffer(out.output.buffer)) delete out.output;
  return { job: out, buffers: transferList(raws) };
}

/** File URL of tsx's ESM API (its `import` export), resolved from this package. */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api']!.import.default)).href;
}

export function createCpuWorkerBackend(): MergeBackend {
  const url = new URL('./cpu-worker.ts', import.meta.url);
  // The worker is TypeScript: load it through tsx (the CLI itself runs under tsx). Node 20
  // ignores --import loaders in workers, so a tiny bootstrap imports it with tsx's API.
  const tsx = tsxEsmApi();
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => m.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(import.meta.url)}))`;
  const worker = new Worker(bootstrap, { eval: true });
  worker.unref();
  let nextId = 1;
  let nextSelector = 1;
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

  const call = (req: DistributiveOmit<WorkerRequest, 'id'>, transfer: ArrayBuffer[] = []) =>
    new Promise<WorkerResponse & { ok: true }>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...req, id }, transfer);
    }).finally(() => {
      if (pending.size === 0) worker.unref();
    });

  const createMagnitudeSelector = (
    densities: number[],
    total: number,
    candidateBytes?: number,
  ): MagnitudeSelector => {
    const selector = nextSelector++;
    const created = call({
      op: 'selectorCreate',
      selector,
      densities,
      total,
      ...(candidateBytes !== undefined ? { candidateBytes } : {}),
    });
    let passAnswer: boolean | undefined;
    let thresholds: number[] | undefined;
    return {
      async add(model, base, tuned) {
        await created;
        // Copies unless shared: the executor hands the same base to every model's add().
        const b = sharedOrCopy(base);
        const t = sharedOrCopy(tuned);
        await call({ op: 'selectorAdd', selector, model, base: b, tuned: t }, transferList([b, t]));
      },
      async addAll(base, models) {
        await created;
        const b = sharedOrCopy(base);
        const m = models.map(sharedOrCopy);
        await call({ op: 'selectorAddAll', selector, base: b, models: m }, transferList([b, ...m]));
      },
      needsAnotherPass() {
        if (passAnswer === undefined) {
          throw new Error('cpu-worker selector: await closePass() before needsAnotherPass()');
        }
        const answer = passAnswer;
        passAnswer = undefined;
        return answer;
      },
      thresholds() {
        if (!thresholds) throw new Error('cpu-worker selector: thresholds are not ready');
        return thresholds;
      },
      async closePass() {
        passAnswer = (await call({ op: 'selectorNext', selector })).value as boolean;
        if (!passAnswer)
          thresholds = (await call({ op: 'selectorThresholds', selector })).value as number[];
      },
    };
  };

  return {
    name: 'cpu',
    sharedBuffers: typeof SharedArrayBuffer === 'function',
    async mergeTensor(job) {
      const t = transferable(job);
      const reply = await call({ op: 'merge', job: t.job }, t.buffers);
      // Filled in place: hand back the caller's own array (its pool knows that object).
      const output = t.job.output;
      if (reply.inPlace && output) return { ...reply.result!, merged: output };
      return reply.result!;
    },
    async electedSignSum(job) {
      const t = transferable(job);
      return (await call({ op: 'signSum', job: t.job as typeof job }, t.buffers)).value as number;
    },
    createMagnitudeSelector,
    dispose() {
      void worker.terminate();
    },
  };
}
