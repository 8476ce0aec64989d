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
import type { WorkerRequest, WorkerResponse } from './cpu-worker-protocol';

type Pending = { resolve: (r: WorkerResponse & { ok: true }) => void; reject: (e: Error) => void };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A raw tensor whose bytes fill their own buffer, so the buffer can be transferred without
 * detaching anybody else's data (readers may return views into a larger buffer or pool). */
function owned(raw: RawTensor): RawTensor {
  const b = raw.bytes;
  const whole = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;
  return whole && b.buffer instanceof ArrayBuffer ? raw : { dtype: raw.dtype, bytes: b.slice() };
}

/** The job with transferable inputs, and the buffers to transfer. */
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
  return { job: out, buffers: [...new Set(raws.map((r) => r.bytes.buffer as ArrayBuffer))] };
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
        // Copies: the executor hands the same base to every model's add().
        const b = { dtype: base.dtype, bytes: base.bytes.slice() };
        const t = { dtype: tuned.dtype, bytes: tuned.bytes.slice() };
        await call({ op: 'selectorAdd', selector, model, base: b, tuned: t }, [
          b.bytes.buffer,
          t.bytes.buffer,
        ]);
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
    async mergeTensor(job) {
      const t = transferable(job);
      return (await call({ op: 'merge', job: t.job }, t.buffers)).result!;
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
