import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticZoo } from '../zoo/testing/synthetic-zoo';
import { imagesToTensor, toTensors, vitForward } from '../models';
import { interferenceMarkdown, interferenceRows, scoreHead } from './interference';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const zoo = syntheticZoo({ tasks: 3, images: 24 });
const names = zoo.manifest.tasks.map((t) => t.name);

/** Accuracy and mean entropy in plain JS from the logits of the whole fine-tuned checkpoint. */
function plainScore(task: string): { accuracy: number; entropy: number } {
  const test = zoo.testSets.get(task)!;
  const params = toTensors(zoo.checkpoints.get(task)!);
  const logits = tf.tidy(() =>
    vitForward(
      params,
      imagesToTensor(test.pixels, test.count, test.side),
      task,
      zoo.manifest.model.config,
    ),
  );
  const [n, c] = logits.shape as [number, number];
  const values = logits.dataSync();
  logits.dispose();
  for (const t of params.values()) t.dispose();
  let correct = 0;
  let entropy = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from(values.subarray(i * c, (i + 1) * c));
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const z = exps.reduce((a, b) => a + b, 0);
    entropy -= exps.reduce((s, e) => s + (e / z) * Math.log(e / z), 0);
    if (row.indexOf(max) === test.labels[i]) correct++;
  }
  return { accuracy: correct / n, entropy: entropy / n };
}

describe('interference diagnostic', () => {
  it('scores a head: accuracy and mean entropy equal a plain-JS computation', () => {
    const task = names[2]!;
    const params = toTensors(zoo.checkpoints.get(task)!);
    const got = scoreHead(params, task, zoo, undefined);
    for (const t of params.values()) t.dispose();
    const want = plainScore(task);
    expect(got.accuracy).toBe(want.accuracy);
    expect(got.entropy).toBeCloseTo(want.entropy, 4);
    expect(got.entropy).toBeGreaterThan(0);
    expect(got.entropy).toBeLessThan(Math.log(zoo.manifest.tasks[2]!.classNames.length));
  });

  it('own λ=1 is each fine-tune itself, task arithmetic λ=0 and others λ=0 are the base', async () => {
    const rows = await interferenceRows(zoo, { taGrid: [0], lambdas: [0, 1] });
    const byLabel = new Map(rows.map((r) => [r.label, r]));
    const base = byLabel.get('Base + task heads')!;
    for (const t of names) {
      expect(byLabel.get('Own vector λ=1')!.perTask[t]!.accuracy).toBe(plainScore(t).accuracy);
      expect(byLabel.get('Task arithmetic λ=0')!.perTask[t]).toEqual(base.perTask[t]);
      expect(byLabel.get('Other vectors λ=0')!.perTask[t]).toEqual(base.perTask[t]);
    }
    // The fine-tunes' noise moves the encoder, so the own row differs from the base somewhere.
    expect(
      names.some(
        (t) => byLabel.get('Own vector λ=1')!.perTask[t]!.entropy !== base.perTask[t]!.entropy,
      ),
    ).toBe(true);
  });

  it('the others row for a task leaves out exactly that task’s vector', async () => {
    const two = syntheticZoo({ tasks: 2, images: 16, seed: 3 });
    const rows = await interferenceRows(two, { taGrid: [], lambdas: [0.5] });
    const others = rows.find((r) => r.label === 'Other vectors λ=0.5')!;
    const own = rows.find((r) => r.label === 'Own vector λ=0.5')!;
    // With two tasks, task 0's "others" encoder is θ₀ + 0.5·τ₁ and its "own" one θ₀ + 0.5·τ₀:
    // scored with the same head, they must differ.
    expect(Number.isFinite(others.entropy)).toBe(true);
    expect(others.perTask['task0']).not.toEqual(own.perTask['task0']);
    const table = interferenceMarkdown(two, rows);
    expect(table.split('\n')).toHaveLength(2 + rows.length);
    expect(table).toContain('| Other vectors λ=0.5 |');
  });
});
