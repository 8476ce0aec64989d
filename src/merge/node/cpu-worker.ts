/** Worker thread of the Node CPU backend: runs the CPU reference off the main thread. */
import { parentPort } from 'node:worker_threads';
import { CpuMagnitudeSelector } from '../cpu/magnitude-selector';
import { mergeTensorCpu } from '../cpu/index';
import { F32Scratch } from '../cpu/scratch';
import { taskArithmeticSignSum } from '../cpu/task-arithmetic';
import { isSharedBuffer } from '../executor/read-buffers';
import type { WorkerRequest, WorkerResponse } from './cpu-worker-protocol';

const port = parentPort;
if (!port) throw new Error('cpu-worker must run in a worker thread');
const selectors = new Map<number, CpuMagnitudeSelector>();
// The per-model deltas of a job, reused from job to job (as createCpuBackend does).
const scratch = new F32Scratch();

function selector(id: number): CpuMagnitudeSelector {
  const s = selectors.get(id);
  if (!s) throw new Error(`no magnitude selector ${id}`);
  return s;
}

port.on('message', async (msg: WorkerRequest) => {
  let reply: WorkerResponse;
  const transfer: ArrayBuffer[] = [];
  try {
    switch (msg.op) {
      case 'merge': {
        const result = mergeTensorCpu(msg.job, scratch);
        // Written into the job's shared output array: both threads see it, send nothing back.
        const inPlace = msg.job.output !== undefined && result.merged === msg.job.output;
        const sent = inPlace ? { ...result, merged: new Float32Array(0) } : result;
        for (const a of [sent.merged, ...(sent.taskModels ?? [])])
          if (!isSharedBuffer(a.buffer)) transfer.push(a.buffer as ArrayBuffer);
        reply = { id: msg.id, ok: true, result: sent, inPlace };
        break;
      }
      case 'signSum':
        reply = { id: msg.id, ok: true, value: taskArithmeticSignSum(msg.job, scratch) };
        break;
      case 'shareCreate':
        selectors.set(
          msg.selector,
          new CpuMagnitudeSelector(msg.densities, msg.total, msg.candidateBytes),
        );
        reply = { id: msg.id, ok: true };
        break;
      case 'shareAdd':
        await selector(msg.selector).add(msg.model, msg.base, msg.tuned);
        reply = { id: msg.id, ok: true };
        break;
      case 'shareAddAll':
        await selector(msg.selector).addAll(msg.base, msg.models);
        reply = { id: msg.id, ok: true };
        break;
      case 'shareTake': {
        const counts = selector(msg.selector).takeHistograms();
        for (const c of counts) transfer.push(c.counts.buffer as ArrayBuffer);
        reply = { id: msg.id, ok: true, counts };
        break;
      }
      case 'shareSettle': {
        const counts = selector(msg.selector).settleShare(msg.highs);
        for (const c of counts) if (c) transfer.push(c.counts.buffer as ArrayBuffer);
        reply = { id: msg.id, ok: true, counts };
        break;
      }
      case 'shareDecide':
        selector(msg.selector).decide(msg.thresholds.map((t) => t ?? undefined));
        reply = { id: msg.id, ok: true };
        break;
      case 'shareDrop':
        selectors.get(msg.selector)?.release();
        selectors.delete(msg.selector);
        reply = { id: msg.id, ok: true };
        break;
    }
  } catch (e) {
    reply = { id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply, transfer);
});
