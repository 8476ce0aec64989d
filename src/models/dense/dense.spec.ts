import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Params } from '../../core';
import { recogniseArchitecture } from '../architectures';
import { toTensors } from '../tensors';
import { tinyDenseConfig } from '../testing/dense-config';
import { adapterShapes } from './config';
import { denseDecode, denseEncode, denseLoss, patchifyRgb, unpatchify } from './forward';
import { initAdapters, initDecoder, initDenseEncoder } from './init';
import { checkTaskModel, DensePoolError } from './pool';

const config = tinyDenseConfig();
const [seg, depth, normals] = config.tasks as [never, never, never];

function model(): Params {
  const p = initDenseEncoder(config, 1);
  for (const t of config.tasks) for (const [k, v] of initDecoder(config, t, 2)) p.set(k, v);
  return p;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('dense model', () => {
  it('patchify takes each p×p×3 block row-major and unpatchify inverts it', () => {
    const n = 2;
    const s = 8;
    const data = Float32Array.from({ length: n * s * s * 3 }, (_, i) => i);
    const images = tf.tensor4d(data, [n, s, s, 3]);
    const patches = patchifyRgb(images, config).arraySync();
    // Independent reference: patch (gy, gx) of image k, element (py, px, c).
    for (let k = 0; k < n; k++)
      for (let gy = 0; gy < 2; gy++)
        for (let gx = 0; gx < 2; gx++)
          for (let py = 0; py < 4; py++)
            for (let px = 0; px < 4; px++)
              for (let c = 0; c < 3; c++) {
                const pixel = ((k * s + gy * 4 + py) * s + gx * 4 + px) * 3 + c;
                expect(patches[k * 4 + gy * 2 + gx]![(py * 4 + px) * 3 + c]).toBe(pixel);
              }
    const back = unpatchify(tf.tensor2d(patches), n, config, 3);
    expect(Array.from(back.dataSync())).toEqual(Array.from(data));
  });

  it('encodes to patch tokens; adapters with B = 0 give exactly the plain encoder', () => {
    const params = toTensors(model());
    const images = tf.randomUniform([3, 8, 8, 3], -0.5, 0.5, 'float32', 4) as tf.Tensor4D;
    const plain = denseEncode(params, images, config);
    expect(plain.shape).toEqual([3, 4, 8]);
    const adapters = toTensors(initAdapters(config, 4, 5));
    const withAdapters = denseEncode(params, images, config, adapters);
    expect(Array.from(withAdapters.dataSync())).toEqual(Array.from(plain.dataSync()));
    // A non-zero B changes the output (the adapter is wired in). Not a constant B: the final
    // LayerNorm would remove a shift that is equal across features.
    adapters.set('adapters.1.B', tf.randomNormal([4, 8], 0, 1, 'float32', 6));
    const moved = denseEncode(params, images, config, adapters);
    expect(tf.max(tf.abs(tf.sub(moved, plain))).dataSync()[0]).toBeGreaterThan(1e-3);
    expect(adapterShapes(config, 4).get('adapters.0.A')).toEqual([8, 4]);
    const out = denseDecode(params, plain, config, seg);
    expect(out.shape).toEqual([3, 8, 8, 5]);
  });

  it('losses: L1 depth, 1 − cos normals and pixel cross-entropy against hand values', () => {
    const d = denseLoss(
      depth,
      tf.fill([1, 2, 2, 1], 3) as tf.Tensor4D,
      tf.tensor4d([1, 2, 3, 7], [1, 2, 2, 1]),
    );
    expect(d.dataSync()[0]).toBeCloseTo((2 + 1 + 0 + 4) / 4, 6);
    const gt = tf.tensor4d([0, 0, 1, 1, 0, 0], [1, 1, 2, 3]);
    // Prediction (0,0,5) matches pixel 0 (cos 1); (0,2,0) is orthogonal to pixel 1 (cos 0).
    const pred = tf.tensor4d([0, 0, 5, 0, 2, 0], [1, 1, 2, 3]);
    expect(denseLoss(normals, pred, gt).dataSync()[0]).toBeCloseTo(0.5, 6);
    const logits = tf.tensor4d([0, Math.log(4), 0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 2, 5]);
    const ce = denseLoss(seg, logits, tf.tensor1d([1, 0], 'int32'));
    // Pixel 0: −log(4/8); pixel 1: −log(1/5).
    expect(ce.dataSync()[0]).toBeCloseTo((Math.log(2) + Math.log(5)) / 2, 5);
  });

  it('the registry knows it: encoder merged, decoders and adapters not; the zoo ViT is not it', () => {
    const names = [...model().keys()];
    const arch = recogniseArchitecture({ config: undefined, tensorNames: names, file: 'd' });
    expect(arch?.id).toBe('merge-studio-dense-vit');
    expect(arch?.blocks).toBe(2);
    expect(arch?.isMerged('encoder.blocks.1.attn.qkv.weight')).toBe(true);
    expect(arch?.isMerged('decoders.seg.fc1.weight')).toBe(false);
    expect(arch?.unmerged).toEqual(['decoders.', 'adapters.']);
    const encoderOnly = names.filter((n) => n.startsWith('encoder.'));
    const zoo = recogniseArchitecture({ config: undefined, tensorNames: encoderOnly, file: 'e' });
    expect(zoo?.id).toBe('merge-studio-vit');
    const typed = recogniseArchitecture({ config, tensorNames: encoderOnly, file: 'e' });
    expect(typed?.id).toBe('merge-studio-dense-vit');
  });

  it('pool checks: a fine-tune without its decoder, or a decoder of the wrong shape', () => {
    const good = model();
    expect(() => checkTaskModel('seg.safetensors', good, config, seg)).not.toThrow();
    const noDecoder = new Map([...good].filter(([n]) => !n.startsWith('decoders.seg.')));
    expect(() => checkTaskModel('seg.safetensors', noDecoder, config, seg)).toThrow(
      new DensePoolError(
        'seg.safetensors: no decoder for task "seg" (no decoders.seg.* tensors); a SIMO pool needs each task\'s decoder',
      ),
    );
    const bad = new Map(good);
    bad.set('decoders.seg.fc2.weight', { shape: [8, 3], data: new Float32Array(24) });
    expect(() => checkTaskModel('seg.safetensors', bad, config, seg)).toThrow(
      /^seg\.safetensors: tensor decoders\.seg\.fc2\.weight has shape \[8,3\], the config expects \[8,80\]$/,
    );
  });
});
