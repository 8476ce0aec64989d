/**
 * The supervised oracle (objective 'cross-entropy'): its loss against a plain-JS cross-entropy,
 * the sampler's labels against its images, a short run, and the refusal on the fused path.
 * Its gradient is checked by finite differences in adamerging.spec.ts, beside the entropy's.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { imagesToTensor, vitForward } from '../../models';
import { initTf } from '../../tf';
import { crossEntropyPerTask, hostProblem, mergedEncoder, prepareProblem } from './problem';
import { runAdaMerging } from './run';
import { TaskBatchSampler } from './sampler';
import { AdaMergingSession } from './session';
import { syntheticZoo } from '../../zoo/testing/synthetic-zoo';
import type { StepEvent } from './types';

const zoo = syntheticZoo({ tasks: 3, images: 32 });
const ORACLE = { objective: 'cross-entropy', engine: 'tfjs' } as const;

beforeAll(async () => {
  await initTf('cpu');
});

describe('cross-entropy oracle loss', () => {
  it('equals a plain-JS mean −log softmax(z)[label] of each task’s own head', async () => {
    const problem = prepareProblem(hostProblem(zoo, { plus: false, density: 0.2 }));
    const L = problem.tensorNames.length;
    // Uneven λ so every task vector matters; a label per row that is not the argmax in general.
    const lambdas = [0, 1, 2].map((k) =>
      Array.from({ length: L }, (_, l) => 0.2 + 0.1 * k + 0.01 * l),
    );
    const encoder = mergedEncoder(problem, tf.tensor2d(lambdas), true);
    const perTask = 4;
    const side = zoo.manifest.model.config.imageSize;
    const px = side * side;
    const sets = problem.tasks.map((t) => zoo.testSets.get(t)!);
    const labels = sets.flatMap((_, k) =>
      Array.from({ length: perTask }, (_, i) => (i + k) % (3 + k)),
    );
    const pixels = new Uint8Array(sets.length * perTask * px);
    sets.forEach((s, k) => pixels.set(s.pixels.subarray(0, perTask * px), k * perTask * px));
    const images = tf.reshape(imagesToTensor(pixels, sets.length * perTask, side), [-1, px]);
    const got = await crossEntropyPerTask(
      problem,
      encoder,
      images as tf.Tensor2D,
      tf.tensor1d(labels, 'int32'),
      perTask,
    ).data();

    const params = new Map([...encoder, ...problem.heads]);
    for (const [k, task] of problem.tasks.entries()) {
      // Logits from the plain forward on this task's images alone (not the batched slice).
      const x = imagesToTensor(
        pixels.subarray(k * perTask * px, (k + 1) * perTask * px),
        perTask,
        side,
      );
      const z = (await vitForward(params, x, task, problem.config).array()) as number[][];
      let ce = 0;
      z.forEach((row, i) => {
        const m = Math.max(...row);
        const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
        ce += lse - row[labels[k * perTask + i]!]!;
      });
      expect(got[k]).toBeCloseTo(ce / perTask, 4);
    }
    problem.dispose();
  });

  it('reads each row’s own label: the sampler’s labels follow its images, and its images are unchanged', () => {
    const sets = zoo.manifest.tasks.map((t) => zoo.testSets.get(t.name)!);
    const tasks = zoo.manifest.tasks.map((t) => t.name);
    const px = sets[0]!.side ** 2;
    const plain = new TaskBatchSampler(sets, 5, tasks);
    const labelled = new TaskBatchSampler(sets, 5, tasks);
    // Two batches of 20 from sets of 32: the second wraps into a reshuffled epoch.
    for (let b = 0; b < 2; b++) {
      const { pixels, labels } = labelled.labelledBatch(20);
      expect(pixels).toEqual(plain.batch(20));
      for (let r = 0; r < labels.length; r++) {
        const set = sets[Math.floor(r / 20)]!;
        const row = pixels.subarray(r * px, (r + 1) * px);
        const index = [...Array(set.count).keys()].find((i) =>
          row.every((v, j) => v === Math.fround(set.pixels[i * px + j]! / 255)),
        );
        expect(index).toBeDefined();
        expect(labels[r]).toBe(set.labels[index!]);
      }
    }
  });
});

describe('runAdaMerging with the oracle objective', () => {
  it('lowers the cross-entropy and learns other λ than entropy minimisation', async () => {
    const steps: StepEvent[] = [];
    const options = { mode: 'layer', batchSize: 32, seed: 3, lr: 0.05, steps: 12 } as const;
    const { result } = await runAdaMerging(
      zoo,
      { ...options, ...ORACLE },
      { onStep: (e) => steps.push(e) },
    );
    expect(result.options.objective).toBe('cross-entropy');
    expect(result.engine).toBe('tfjs');
    // The full test set each step: the same images, so the losses are comparable.
    expect(steps.at(-1)!.entropyTotal).toBeLessThan(steps[0]!.entropyTotal - 0.01);
    const entropyRun = (await runAdaMerging(zoo, { ...options, engine: 'tfjs' })).result;
    const diff = result.lambdas.flat().map((x, i) => Math.abs(x - entropyRun.lambdas.flat()[i]!));
    expect(Math.max(...diff)).toBeGreaterThan(1e-3);
  });

  it('refuses the fused engine (auto) instead of silently minimising entropy', () => {
    expect(() => new AdaMergingSession(zoo, { mode: 'task', objective: 'cross-entropy' })).toThrow(
      /runs on tfjs autodiff only: pass engine: "tfjs"/,
    );
    expect(
      () =>
        new AdaMergingSession(zoo, {
          mode: 'task',
          objective: 'labels' as unknown as 'entropy',
        }),
    ).toThrow(/objective must be/);
  });
});
