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
  const emr = yaml.startsWith('merge_method: emr');
  return {
    ...(await mergeTestPool(yaml, backend, chunkElements, emr)),
    largest: backend.largest,
  };
}

const pair = (w0: number, w1: number) =>
  `  - model: task1\n    parameters: {weight: ${w0}}\n  - model: task2\n    parameters: {weight: ${w1}}\n`;

const RECIPES: Record<string, string> = {
  multislerp: `merge_method: multislerp\nbase_model: base\nmodels:\n  - model: task1\n    parameters: {weight: 0.5}\n  - model: task2\n    parameters: {weight: 1}\n  - model: task3\n    parameters: {weight: 2}\n`,
  multislerp_plain: `merge_method: multislerp\nmodels:\n${models(3, 'weight: 1')}\nparameters: {normalize_weights: false}\n`,
  sce: `merge_method: sce\nbase_model: base\nmodels:\n${models(3, '')}\n`,
  sce_topk: `merge_method: sce\nbase_model: base\nmodels:\n${models(3, '')}\nparameters: {select_topk: 0.5}\n`,
  sce_topk_small: `merge_method: sce\nbase_model: base\nmodels:\n${models(3, '')}\nparameters: {select_topk: 0.1}\n`,
  ram: `merge_method: ram\nbase_model: base\nmodels:\n${models(3, '')}\nparameters: {epsilon: 0.05}\n`,
  ramplus_tl: `merge_method: ramplus_tl\nbase_model: base\nmodels:\n${models(3, '')}\nparameters: {epsilon: 0.05, r: 0.3, alpha: 0.5}\n`,
  nearswap: `merge_method: nearswap\nbase_model: base\nmodels:\n  - model: task1\nparameters: {t: 0.05}\n`,
  emr: `merge_method: emr\nbase_model: base\nmodels:\n${models(3, '')}\n`,
  karcher: `merge_method: karcher\nmodels:\n${models(3, '')}\n`,
  karcher_one_step: `merge_method: karcher\nmodels:\n${models(3, '')}\nparameters: {max_iter: 1}\n`,
  nuslerp: `merge_method: nuslerp\nmodels:\n${pair(1, 2)}`,
  nuslerp_base: `merge_method: nuslerp\nbase_model: base\nmodels:\n${pair(1, 3)}`,
  nuslerp_rows: `merge_method: nuslerp\nmodels:\n${pair(2, 1)}parameters: {nuslerp_flatten: false}\n`,
  nuslerp_columns: `merge_method: nuslerp\nmodels:\n${pair(1, 1)}parameters: {nuslerp_flatten: false, nuslerp_row_wise: true}\n`,
  arcee_fusion: `merge_method: arcee_fusion\nbase_model: base\nmodels:\n  - model: task1\n`,
};

describe('streamed catalogue methods', () => {
  for (const [name, yaml] of Object.entries(RECIPES)) {
    it(`${name}: chunks of 5 elements give the whole tensors' file, never holding a whole tensor`, async () => {
      const whole = await merge(yaml);
      const chunked = await merge(yaml, 5);
      expect(Buffer.from(chunked.bytes).equals(Buffer.from(whole.bytes))).toBe(true);
      if (whole.modulatorBytes) {
        // EMR: the masks placed chunk by chunk and the rescalers from the streamed means.
        expect(whole.modulatorBytes.length).toBeGreaterThan(0);
        expect(Buffer.from(chunked.modulatorBytes!).equals(Buffer.from(whole.modulatorBytes))).toBe(
          true,
        );
      }
      expect(chunked.summary.nonFinite).toBe(0);
      // The pool's biggest tensor has 32 elements: whole-tensor jobs hold 32 of every input.
      expect(whole.largest.numel).toBe(32);
      expect(chunked.largest.numel).toBe(5);
      expect(chunked.largest.inputs).toBeLessThan(whole.largest.inputs / 6);
    });
  }
});
