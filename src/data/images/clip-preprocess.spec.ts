import { describe, expect, it } from 'vitest';
import {
  CLIP_PREPROCESS_DEFAULTS,
  clipOutputShape,
  parsePreprocessorConfig,
  PreprocessorConfigError,
  preprocessForClip,
  resizeOutputSize,
} from './clip-preprocess';
import { decodeImage, type RgbImage } from './decode';
import { loadPreprocessFixtures, type FixtureCase } from './fixtures/preprocess-fixtures';
import { pilResize } from './pil-resample';

const fx = loadPreprocessFixtures();

/** The PIL-decoded pixels, so these checks are about preprocessing, not JPEG decoding. */
function pilImage(file: string): RgbImage {
  const im = fx.image(file);
  return { width: im.width, height: im.height, data: fx.pilPixels(file) };
}

function subsample(out: Float32Array, c: FixtureCase): Float32Array {
  if (!c.stride) return out;
  const picked: number[] = [];
  for (let y = 0; y < c.height; y += c.stride) {
    for (let x = 0; x < c.width; x += c.stride) {
      const p = (y * c.width + x) * 3;
      picked.push(out[p]!, out[p + 1]!, out[p + 2]!);
    }
  }
  return new Float32Array(picked);
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('preprocessForClip against PIL + transformers (Python reference)', () => {
  it.each(fx.manifest.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const cfg = parsePreprocessorConfig(c.config, `${c.name}.json`);
    const img = pilImage(c.image);
    const resized = fx.resized(c);
    if (resized && c.resized) {
      // PIL's integer arithmetic reproduced: the uint8 resize is identical, not close.
      const [w, h] = resizeOutputSize(img.width, img.height, cfg.size);
      expect([w, h]).toEqual([c.resized.width, c.resized.height]);
      expect(maxAbs(pilResize(img, w, h, cfg.resample).data, resized)).toBe(0);
    }
    expect(clipOutputShape(img.width, img.height, cfg)).toEqual([c.height, c.width]);
    const out = preprocessForClip(img, cfg);
    expect(out.length).toBe(c.height * c.width * 3);
    // Same float32 operations in the same order: bit-identical.
    expect(maxAbs(subsample(out, c), fx.expected(c))).toBeLessThanOrEqual(1e-6);
  });

  it('the JPEG case through jpeg-js stays within the decoder tolerance', () => {
    const c = fx.manifest.cases.find((k) => k.name === 'jpeg444_24')!;
    const cfg = parsePreprocessorConfig(c.config, 'c.json');
    const out = preprocessForClip(decodeImage(fx.file(c.image), c.image), cfg);
    // ±3 levels of decode difference, bicubic gain ≤ 1.25, / 255 / min std 0.261.
    expect(maxAbs(out, fx.expected(c))).toBeLessThanOrEqual((3 * 1.25) / 255 / 0.261);
  });
});

describe('resizeOutputSize', () => {
  it('floors the long side (transformers int())', () => {
    expect(resizeOutputSize(45, 31, { shortestEdge: 24 })).toEqual([34, 24]); // 24·45/31 = 34.8
    expect(resizeOutputSize(19, 40, { shortestEdge: 32 })).toEqual([32, 67]); // 67.37
    expect(resizeOutputSize(640, 480, { shortestEdge: 224 })).toEqual([298, 224]); // 298.67
    expect(resizeOutputSize(33, 33, { shortestEdge: 7 })).toEqual([7, 7]);
    expect(resizeOutputSize(50, 80, { height: 9, width: 5 })).toEqual([5, 9]);
  });
});

describe('parsePreprocessorConfig', () => {
  it('fills transformers defaults and accepts the openai file', () => {
    const openai = {
      crop_size: 224,
      do_center_crop: true,
      do_normalize: true,
      do_resize: true,
      feature_extractor_type: 'CLIPFeatureExtractor',
      image_mean: [0.48145466, 0.4578275, 0.40821073],
      image_std: [0.26862954, 0.26130258, 0.27577711],
      resample: 3,
      size: 224,
    };
    const cfg = parsePreprocessorConfig(JSON.stringify(openai), 'preprocessor_config.json');
    expect(cfg).toEqual({
      ...CLIP_PREPROCESS_DEFAULTS,
      imageMean: [...openai.image_mean],
      imageStd: [...openai.image_std],
    });
    expect(parsePreprocessorConfig({}, 'p.json').cropSize).toEqual({ height: 224, width: 224 });
    expect(parsePreprocessorConfig({ size: { shortest_edge: 336 } }, 'p.json').size).toEqual({
      shortestEdge: 336,
    });
  });

  it('names the file and field on bad input', () => {
    const bad: [unknown, RegExp][] = [
      ['{', /p\.json: \(file\): not valid JSON/],
      [[], /expected a JSON object/],
      [{ resample: 1 }, /p\.json: resample: 1 is not supported/],
      [{ size: { longest_edge: 3 } }, /p\.json: size: expected/],
      [{ size: -4 }, /p\.json: size: expected an integer ≥ 1/],
      [{ crop_size: { height: 3 } }, /p\.json: crop_size:/],
      [{ image_mean: [1, 2] }, /p\.json: image_mean: expected 3 numbers/],
      [{ image_std: [0, 1, 1] }, /p\.json: image_std: must not contain 0/],
      [{ do_resize: 'yes' }, /p\.json: do_resize: expected true or false/],
    ];
    for (const [json, msg] of bad) {
      const input = typeof json === 'string' ? json : (json as Record<string, unknown>);
      expect(() => parsePreprocessorConfig(input, 'p.json'), JSON.stringify(json)).toThrow(msg);
      expect(() => parsePreprocessorConfig(input, 'p.json')).toThrow(PreprocessorConfigError);
    }
  });
});
