/**
 * mergekit's bf16 compute streamed: trims (exactly k of the bf16 |δ|, ties in index order) and
 * l1 rescales selected over chunks give the whole-tensor file byte for byte, while no job holds
 * more than a chunk. The pool is made so that the bf16 statistics differ from the f32 ones: F32
 * fine-tunes whose f32 deltas are all distinct but whose bf16 deltas b(b(θₜ) − b(θ₀)) share a
 * few values (a trim's k-th largest is tied with hundreds), next to a tied BF16 tensor.
 */
import { describe, expect, it } from 'vitest';
import { memorySinkFolder, memorySource, openSingleCheckpoint, type Checkpoint } from '../../io';
import { makeValidSafetensors } from '../../io/testing/safetensors-builder';
import type { MergeBackend, TensorJob } from '../backend';
import { roundBf16 as b } from '../cpu/bf16';
import { createCpuBackend } from '../cpu/index';
import { planMerge } from '../plan';
import { parseRecipe } from '../recipe/parse';
import { mix32 } from '../random';
import { tiedValues } from '../testing-tied';
import { createCpuWorkerBackend } from '../node/cpu-worker-backend';
import { executeMerge } from './index';

const W_SHAPE = [24, 40];
const MODELS = 3;

/** θ₀ in [−1, 1); θₜ = θ₀ ± level·(1 + 2^-10·noise): f32 |δ| distinct, bf16 |δ| a few values. */
function roughValues(numel: number, models: number): Float32Array[] {
  let i = 0;
  const rnd = () => mix32((mix32(7) + i++) >>> 0) / 4294967296;
  const base = Float32Array.from({ length: numel }, () => rnd() * 2 - 1);
  const tuned = Array.from({ length: models }, () =>
    base.map((x) => {
      const level = ((1 + Math.floor(rnd() * 3)) / 64) * (1 + rnd() / 1024);
      return x + (rnd() < 0.5 ? -level : level);
    }),
  );
  return [base, ...tuned];
}

async function pool(): Promise<Map<string, Checkpoint>> {
  const w = roughValues(W_SHAPE[0]! * W_SHAPE[1]!, MODELS);
  const v = tiedValues(63, MODELS, 5);
  const map = new Map<string, Checkpoint>();
  for (let m = 0; m <= MODELS; m++) {
    const key = m === 0 ? 'base' : `task${m}`;
    const bytes = makeValidSafetensors([
      { name: 'v', dtype: 'BF16', shape: [7, 9], values: v[m]! },
      { name: 'w', dtype: 'F32', shape: W_SHAPE, values: w[m]! },
    ]);
    map.set(key, await openSingleCheckpoint(memorySource(bytes, `${key}.safetensors`), key));
  }
  return map;
}

/** The CPU backend, recording every task-arithmetic job's size and compute dtype. */
function recordingBackend(): MergeBackend & { jobs: { numel: number; bf16: boolean }[] } {
  const cpu = createCpuBackend();
  const jobs: { numel: number; bf16: boolean }[] = [];
  return {
    ...cpu,
    jobs,
    mergeTensor: (job: TensorJob) => {
      jobs.push({ numel: job.numel, bf16: job.computeDtype === 'BF16' });
      return cpu.mergeTensor(job);
    },
  };
}

async function merge(yaml: string, chunkElements?: number, worker?: MergeBackend) {
  const plan = await planMerge(parseRecipe(yaml, 'r.yml').recipe, await pool());
  const backend = worker ? { ...worker, jobs: [] } : recordingBackend();
  const folder = memorySinkFolder();
  await executeMerge(plan, backend, folder, { chunkElements });
  return { bytes: folder.files.get('model.safetensors')!, jobs: backend.jobs, plan };
}

const models = `models:\n  - model: task1\n    parameters: {weight: 1}\n  - model: task2\n    parameters: {weight: 0.3}\n  - model: task3\n    parameters: {weight: 0.7}\n`;
const recipe = (method: string, params: string) =>
  `merge_method: ${method}\nbase_model: base\n${models}parameters: {${params}}\ndtype: bfloat16\n`;

const RECIPES: Record<string, string> = {
  ties: recipe('ties', 'density: 0.5'),
  'ties + l1 rescale': recipe('ties', 'density: 0.5, rescale: true'),
  dare_ties: recipe('dare_ties', 'density: 0.5'),
  dare_linear: recipe('dare_linear', 'density: 0.3, lambda: 0.9'),
};

describe('bf16-compute trims and l1 rescales, streamed', () => {
  it('the pool: bf16 |δ| of w tie at the k-th largest, the f32 |δ| do not', async () => {
    const w = roughValues(W_SHAPE[0]! * W_SHAPE[1]!, MODELS);
    const [base, tuned] = [w[0]!, w[1]!];
    const bf16 = tuned.map((x, i) => Math.abs(b(b(x) - b(base[i]!))));
    const f32 = tuned.map((x, i) => Math.abs(x - base[i]!));
    const kth = (a: Float32Array) => Float32Array.from(a).sort().reverse()[a.length / 2 - 1]!;
    const tied = (a: Float32Array) => a.filter((x) => x === kth(a)).length;
    expect(tied(bf16)).toBeGreaterThan(100);
    expect(tied(f32)).toBe(1);
  });

  for (const [name, yaml] of Object.entries(RECIPES)) {
    for (const chunk of [5, 16]) {
      it(`${name}: chunks of ${chunk} give the whole tensors' file, no job above a chunk`, async () => {
        const whole = await merge(yaml);
        const chunked = await merge(yaml, chunk);
        expect(chunked.plan.warnings).toEqual([]);
        expect(chunked.jobs.every((j) => j.bf16)).toBe(true);
        expect(Buffer.from(chunked.bytes).equals(Buffer.from(whole.bytes))).toBe(true);
        expect(Math.max(...whole.jobs.map((j) => j.numel))).toBe(960);
        expect(Math.max(...chunked.jobs.map((j) => j.numel))).toBe(chunk);
      });
    }
  }

  it('the Node CPU worker backend (shared delta sets, chunk jobs split over 2 threads): same files', async () => {
    const worker = createCpuWorkerBackend({ threads: 2, minSplitElements: 2 });
    try {
      for (const yaml of [RECIPES.ties!, RECIPES.dare_ties!]) {
        const whole = await merge(yaml);
        const chunked = await merge(yaml, 16, worker);
        expect(Buffer.from(chunked.bytes).equals(Buffer.from(whole.bytes))).toBe(true);
      }
      expect(worker.splitCalls).toBeGreaterThan(0);
    } finally {
      worker.dispose();
    }
  });

  it('the bf16 statistics decide the output: float32 compute writes another file', async () => {
    const yaml = RECIPES.ties!;
    const bf16 = await merge(yaml, 16);
    const f32 = await merge(`${yaml}merge_studio: {compute_dtype: float32}\n`, 16);
    expect(Buffer.from(bf16.bytes).equals(Buffer.from(f32.bytes))).toBe(false);
  });
});
