import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCheckpointPath } from '../src/io/node';
import { ensureLlmPool, llamaSpecs } from './llm-scale';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('the scale bench pool generator (a tiny shape; the real one is ≈ 20 GB)', () => {
  it('writes Llama-shaped BF16 HF folders: base + 2 fine-tunes with small BF16 task vectors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'llm-pool-'));
    dirs.push(dir);
    const shape = { hidden: 8, intermediate: 16, layers: 2, vocab: 20 };
    await ensureLlmPool(dir, shape);
    expect((await readdir(dir)).sort()).toEqual(['base', 'ft1', 'ft2', 'layout.json']);
    const base = await openCheckpointPath(join(dir, 'base'));
    const ft = await openCheckpointPath(join(dir, 'ft1'));
    expect([...base.tensors.keys()]).toEqual(llamaSpecs(shape).map((s) => s.name));
    expect(base.tensors.get('lm_head.weight')!.info).toMatchObject({
      dtype: 'BF16',
      shape: [20, 8],
    });
    const b = await base.readF32('model.layers.1.mlp.up_proj.weight');
    const f = await ft.readF32('model.layers.1.mlp.up_proj.weight');
    const deltas = b.map((x, i) => Math.abs(f[i]! - x));
    expect(Math.max(...deltas)).toBeLessThan(0.003);
    expect(Math.max(...deltas)).toBeGreaterThan(0);
    expect(new Set(deltas).size).toBeLessThan(deltas.length); // ties, as on real BF16 fine-tunes
    await base.close();
    await ft.close();
  });
});
