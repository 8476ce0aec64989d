import { describe, expect, it } from 'vitest';
import type { MergeBackend, TensorJob } from '../backend';
import { createCpuBackend } from '../cpu/index';
import { recipeModels as models } from '../testing-recipes';
import { mergeTestPool } from './testing-merge';

/** The CPU backend, recording the largest catalogue job and how many input elements it held. */
function recordingBackend(): MergeBackend & { largest: { numel: number; inputs: number } } {
  const cpu = createCpuBackend();
  const largest = { numel: 0, inputs: 0 };
  return {
    ...cpu,
    largest,
    mergeTensor: (job: TensorJob) => {
      if (job.kind === 'tensor_method') {
        const held = job.models.length + (job.base ? 1 : 0);
        largest.numel = Math.max(largest.numel, job.numel);
        largest.inputs = Math.max(largest.inputs, held * job.numel);
      }
      return cpu.mergeTensor(job);
    },
  };
}

async function merge(yaml: string, chunkElements?: number) {
  const backend = recordingBackend();
  return { ...(await mergeTestPool(yaml, backend, chunkElements)), largest: backend.largest };
}

const RECIPES: Record<string, string> = {
  multislerp: `merge_method: multislerp\nbase_model: base\nmodels:\n  - model: task1\n    parameters: {weight: 0.5}\n  - model: task2\n    parameters: {weight: 1}\n  - model: task3\n    parameters: {weight: 2}\n`,
  multislerp_plain: `merge_method: multislerp\nmodels:\n${models(3, 'weight: 1')}\nparameters: {normalize_weights: false}\n`,
  sce: `merge_method: sce\nbase_model: base\nmodels:\n${models(3, '')}\n`,
  ram: `merge_method: ram\nbase_model: base\nmodels:\n${models(3, '')}\nparameters: {epsilon: 0.05}\n`,
  ramplus_tl: `merge_method: ramplus_tl\nbase_model: base\nmodels:\n${models(3, '')}\nparameters: {epsilon: 0.05, r: 0.3, alpha: 0.5}\n`,
  nearswap: `merge_method: nearswap\nbase_model: base\nmodels:\n  - model: task1\nparameters: {t: 0.05}\n`,
};

describe('streamed catalogue methods', () => {
  for (const [name, yaml] of Object.entries(RECIPES)) {
    it(`${name}: chunks of 5 elements give the whole tensors' file, never holding a whole tensor`, async () => {
      const whole = await merge(yaml);
      const chunked = await merge(yaml, 5);
      expect(Buffer.from(chunked.bytes).equals(Buffer.from(whole.bytes))).toBe(true);
      expect(chunked.summary.nonFinite).toBe(0);
      // The pool's biggest tensor has 32 elements: whole-tensor jobs hold 32 of every input.
      expect(whole.largest.numel).toBe(32);
      expect(chunked.largest.numel).toBe(5);
      expect(chunked.largest.inputs).toBeLessThan(whole.largest.inputs / 6);
    });
  }

  it('sce with a variance top-k still needs the whole tensor (not streamed)', async () => {
    const yaml = `merge_method: sce\nbase_model: base\nmodels:\n${models(3, '')}\nparameters: {select_topk: 0.5}\n`;
    const chunked = await merge(yaml, 5);
    expect(chunked.largest.numel).toBe(32);
  });
});
