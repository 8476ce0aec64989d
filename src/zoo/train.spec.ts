import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../tf';
import { initEncoder, initHead, type VitConfig } from '../models';
import { Rng, makeExamples, taskByName } from '../data';
import { learningRate, train } from './train';

const SMALL: VitConfig = {
  imageSize: 28,
  patchSize: 7,
  dim: 16,
  depth: 1,
  heads: 2,
  mlpDim: 32,
  eps: 1e-5,
};
const task = taskByName('gratings');

function run(
  seed: number,
  steps: number,
  onLog?: (step: number, loss: number) => void,
  trainable?: (name: string) => boolean,
) {
  const rng = new Rng(seed, 'batches');
  return train({
    config: SMALL,
    initial: new Map([
      ...initEncoder(SMALL, seed),
      ...initHead(SMALL, task.name, task.classNames.length, seed + 1),
    ]),
    head: task.name,
    numClasses: task.classNames.length,
    steps,
    batch: () => makeExamples(task, {}, 16, rng),
    peakLr: 3e-3,
    warmupSteps: 5,
    logEvery: 10,
    onLog,
    trainable,
  });
}

beforeAll(async () => {
  await initTf('wasm');
});

describe('train', () => {
  it('is bit-for-bit reproducible from the seed on the wasm backend', async () => {
    const a = await run(1, 4);
    const b = await run(1, 4);
    const c = await run(2, 4);
    const name = 'encoder.blocks.0.attn.qkv.weight';
    expect(b.get(name)!.data).toEqual(a.get(name)!.data);
    expect(c.get(name)!.data).not.toEqual(a.get(name)!.data);
  });

  it('lowers the loss and moves the encoder', async () => {
    const losses: number[] = [];
    const initial = initEncoder(SMALL, 3).get('encoder.blocks.0.mlp.fc1.weight')!.data;
    const trained = await run(3, 60, (_, loss) => losses.push(loss));
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
    expect(trained.get('encoder.blocks.0.mlp.fc1.weight')!.data).not.toEqual(initial);
  });

  it('keeps tensors outside `trainable` exactly as they were (linear probe, frozen head)', async () => {
    const isHead = (name: string): boolean => name.startsWith('heads.');
    const initial = new Map([
      ...initEncoder(SMALL, 4),
      ...initHead(SMALL, task.name, task.classNames.length, 5),
    ]);
    const probed = await run(4, 5, undefined, isHead);
    const tuned = await run(4, 5, undefined, (name) => !isHead(name));
    const enc = 'encoder.blocks.0.attn.qkv.weight';
    const head = `heads.${task.name}.weight`;
    expect(probed.get(enc)!.data).toEqual(initial.get(enc)!.data);
    expect(probed.get(head)!.data).not.toEqual(initial.get(head)!.data);
    expect(tuned.get(head)!.data).toEqual(initial.get(head)!.data);
    expect(tuned.get(enc)!.data).not.toEqual(initial.get(enc)!.data);
  });

  it('warms up linearly then decays to zero', () => {
    const o = { steps: 100, peakLr: 1, warmupSteps: 10 };
    expect(learningRate(0, o)).toBeCloseTo(0.1);
    expect(learningRate(9, o)).toBeCloseTo(1);
    expect(learningRate(55, o)).toBeCloseTo(0.5);
    expect(learningRate(100, o)).toBeCloseTo(0);
  });
});
