/**
 * The zero-shot pipeline against the plain-torch CLIP reference (src/models/clip/fixtures,
 * scripts/reference/clip_reference.py): heads built from "prompts" whose token ids are the
 * fixture's, classification logits, and the heads file round trip.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { memorySource, openCheckpointFromSources } from '../../io';
import { loadFixture, maxRelativeError, readI32 } from '../../models/testing/clip-fixtures';
import { readClipModel } from './model';
import { buildZeroShotHeads, type ClipTokenizer } from './zero-shot';
import { unitImageEmbeds, zeroShotLogits } from './classify';
import { headsToBytes, readHeads, headForTask } from './heads-file';
import { ClipEvalError } from './errors';
import { toTensors } from '../../models';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURE = 'clip-quickgelu-legacy-eos';
const folder = fileURLToPath(new URL(`../../models/clip/fixtures/${FIXTURE}/`, import.meta.url));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function fixtureCheckpoint() {
  const read = (file: string) => memorySource(new Uint8Array(readFileSync(folder + file)), file);
  return openCheckpointFromSources([read('model.safetensors'), read('config.json')], FIXTURE);
}

/** A tokenizer that maps the prompt "row <r>" to the fixture's id row r. */
function rowTokenizer(ids: Int32Array, rows: number): ClipTokenizer {
  const length = ids.length / rows;
  return {
    encode(texts) {
      const out = new Int32Array(texts.length * length);
      texts.forEach((t, i) => {
        const r = Number(/^row (\d+)$/.exec(t)?.[1] ?? NaN);
        out.set(ids.subarray(r * length, (r + 1) * length), i * length);
      });
      return {
        ids: out,
        attentionMask: new Int32Array(out.length).fill(1),
        batch: texts.length,
        length,
      };
    },
  };
}

function unit(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('zero-shot heads and logits (torch reference)', () => {
  it('one template per class: logits equal the reference logits_per_image', async () => {
    const fx = await loadFixture(FIXTURE);
    const ids = await readI32(fx.expected, 'input_ids');
    const rows = fx.expected.tensors.get('input_ids')!.shape[0]!;
    const model = await readClipModel(await fixtureCheckpoint(), undefined, { text: true });
    const classNames = Array.from({ length: rows }, (_, r) => `row ${r}`);
    const [head] = await buildZeroShotHeads(model, rowTokenizer(ids, rows), [
      { task: 't', classNames, templates: ['{}'] },
    ]);
    const params = toTensors(
      new Map([...model.vision, ['visual_projection.weight', model.projection]]),
    );
    const pixelsInfo = fx.expected.tensors.get('pixel_values_nhwc')!;
    const pixels = tf.tensor4d(
      await fx.expected.readF32('pixel_values_nhwc'),
      pixelsInfo.shape as [number, number, number, number],
    );
    const logits = zeroShotLogits(
      unitImageEmbeds(params, pixels, model.config),
      tf.tensor2d(head!.weight, [rows, head!.dim]),
      model.logitScale,
    );
    const expected = await fx.expected.readF32('logits_per_image');
    expect(maxRelativeError(await logits.data(), expected, 1e-3)).toBeLessThan(1e-4);
    tf.dispose([pixels, logits, ...params.values()]);
  });

  it('several templates: each head row is normalize(mean of normalized prompt embeddings)', async () => {
    const fx = await loadFixture(FIXTURE);
    const ids = await readI32(fx.expected, 'input_ids');
    const rows = fx.expected.tensors.get('input_ids')!.shape[0]!;
    expect(rows).toBeGreaterThanOrEqual(3);
    const txt = await fx.expected.readF32('text_embeds');
    const dim = txt.length / rows;
    const model = await readClipModel(await fixtureCheckpoint(), undefined, { text: true });
    // Two classes, two templates: class c, template t ↦ row c + t (rows may repeat).
    const tokenizer: ClipTokenizer = {
      encode: (texts, ctx) =>
        rowTokenizer(ids, rows).encode(
          texts.map((s) => {
            const [t, c] = s.split(':').map(Number) as [number, number];
            return `row ${c + t}`;
          }),
          ctx,
        ),
    };
    const [head] = await buildZeroShotHeads(model, tokenizer, [
      { task: 't', classNames: ['0', '1'], templates: ['0:{}', '1:{}'] },
    ]);
    for (let c = 0; c < 2; c++) {
      const a = unit(txt.slice(c * dim, (c + 1) * dim));
      const b = unit(txt.slice((c + 1) * dim, (c + 2) * dim));
      const expected = unit(a.map((x, j) => (x + b[j]!) / 2));
      const got = head!.weight.slice(c * dim, (c + 1) * dim);
      expect(maxRelativeError(got, expected, 1e-2)).toBeLessThan(1e-4);
    }
  });

  it('heads file: round trip keeps rows and class names; a mismatch names both counts', async () => {
    const weight = Float32Array.from({ length: 6 }, (_, i) => i / 10);
    const bytes = await headsToBytes([
      { task: 'cars', classNames: ['a', 'b', 'c'], weight, dim: 2 },
    ]);
    const heads = await readHeads(memorySource(bytes, 'heads.safetensors'));
    const head = headForTask(heads, 'cars', ['a', 'b', 'c'], 'heads.safetensors');
    expect(head.classNames).toEqual(['a', 'b', 'c']);
    expect(Array.from(head.weight)).toEqual(Array.from(weight));
    expect(() => headForTask(heads, 'cars', ['a', 'b'], 'heads.safetensors')).toThrow(
      /head "cars" has 3 classes, the task's data 2/,
    );
    expect(() => headForTask(heads, 'dtd', null, 'heads.safetensors')).toThrow(ClipEvalError);
  });

  it('a vision tower without projection and no CLIP base is refused, naming what is missing', async () => {
    const checkpoint = await fixtureCheckpoint();
    const visionOnly = {
      ...checkpoint,
      name: 'finetune',
      tensors: new Map([...checkpoint.tensors].filter(([n]) => n.startsWith('vision_model.'))),
      config: {
        architectures: ['CLIPVisionModel'],
        model_type: 'clip_vision_model',
        ...(checkpoint.config as { vision_config: object }).vision_config,
      },
      readF32: checkpoint.readF32.bind(checkpoint),
    };
    await expect(readClipModel(visionOnly, undefined)).rejects.toThrow(
      /finetune: has no visual_projection\.weight .*--clip/,
    );
    const completed = await readClipModel(visionOnly, checkpoint, { text: true });
    expect(completed.from.projection).toBe(checkpoint.name);
    expect(completed.from.text).toBe(checkpoint.name);
  });
});
