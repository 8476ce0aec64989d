/**
 * transformers' CLIPImageProcessor (the slow, PIL-based one) for one decoded image:
 * convert to RGB → resize the shortest edge (PIL bicubic) → centre crop → rescale → normalise.
 * Each step follows transformers' image_processing_clip.py / image_transforms.py, with the
 * resize in pil-resample.ts, so the floats match the Python pipeline (see the spec).
 */
import type { RgbImage } from './decode';
import { PIL_FILTERS, pilResize } from './pil-resample';

export type ResizeTarget =
  { readonly shortestEdge: number } | { readonly height: number; readonly width: number };

export interface ClipPreprocessConfig {
  readonly doResize: boolean;
  readonly size: ResizeTarget;
  /** PIL resample code: 2 bilinear, 3 bicubic. */
  readonly resample: number;
  readonly doCenterCrop: boolean;
  readonly cropSize: { readonly height: number; readonly width: number };
  readonly doRescale: boolean;
  readonly rescaleFactor: number;
  readonly doNormalize: boolean;
  readonly imageMean: readonly [number, number, number];
  readonly imageStd: readonly [number, number, number];
  /** Decoded images are always RGB here; kept so a config that says false is reported. */
  readonly doConvertRgb: boolean;
}

export class PreprocessorConfigError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${field}: ${problem}`);
    this.name = 'PreprocessorConfigError';
  }
}

/** OpenAI CLIP's statistics (transformers' OPENAI_CLIP_MEAN / OPENAI_CLIP_STD). */
export const OPENAI_CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const OPENAI_CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/**
 * preprocessor_config.json as openai's CLIP folders have it, at this image size (what the
 * project writes beside the CLIP checkpoints it makes: test pools, the demo zoo).
 */
export function openaiPreprocessorConfigJson(imageSize: number) {
  return {
    crop_size: { height: imageSize, width: imageSize },
    do_center_crop: true,
    do_convert_rgb: true,
    do_normalize: true,
    do_rescale: true,
    do_resize: true,
    image_mean: [...OPENAI_CLIP_MEAN],
    image_processor_type: 'CLIPImageProcessor',
    image_std: [...OPENAI_CLIP_STD],
    resample: 3,
    rescale_factor: 1 / 255,
    size: { shortest_edge: imageSize },
  };
}

/** CLIPImageProcessor.__init__'s defaults, used for every field the JSON leaves out. */
export const CLIP_PREPROCESS_DEFAULTS: ClipPreprocessConfig = {
  doResize: true,
  size: { shortestEdge: 224 },
  resample: 3,
  doCenterCrop: true,
  cropSize: { height: 224, width: 224 },
  doRescale: true,
  rescaleFactor: 1 / 255,
  doNormalize: true,
  imageMean: OPENAI_CLIP_MEAN,
  imageStd: OPENAI_CLIP_STD,
  doConvertRgb: true,
};

type Json = Record<string, unknown>;

/** Parses `preprocessor_config.json` (text or parsed); `file` names it in errors. */
export function parsePreprocessorConfig(json: string | Json, file: string): ClipPreprocessConfig {
  let obj: unknown = json;
  if (typeof json === 'string') {
    try {
      obj = JSON.parse(json);
    } catch (e) {
      throw new PreprocessorConfigError(file, '(file)', `not valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new PreprocessorConfigError(file, '(file)', 'expected a JSON object');
  }
  const o = obj as Json;
  const d = CLIP_PREPROCESS_DEFAULTS;
  const f = new FieldReader(o, file);
  const resample = f.int('resample', d.resample, 0);
  if (!PIL_FILTERS[resample]) {
    throw new PreprocessorConfigError(
      file,
      'resample',
      `${resample} is not supported (2 = bilinear, 3 = bicubic)`,
    );
  }
  const cfg: ClipPreprocessConfig = {
    doResize: f.bool('do_resize', d.doResize),
    size: f.resizeTarget('size', d.size),
    resample,
    doCenterCrop: f.bool('do_center_crop', d.doCenterCrop),
    cropSize: f.cropSize('crop_size', d.cropSize),
    doRescale: f.bool('do_rescale', d.doRescale),
    rescaleFactor: f.number('rescale_factor', d.rescaleFactor),
    doNormalize: f.bool('do_normalize', d.doNormalize),
    imageMean: f.triple('image_mean', d.imageMean),
    imageStd: f.triple('image_std', d.imageStd),
    doConvertRgb: f.bool('do_convert_rgb', d.doConvertRgb),
  };
  if (cfg.imageStd.some((s) => s === 0)) {
    throw new PreprocessorConfigError(file, 'image_std', 'must not contain 0');
  }
  return cfg;
}

class FieldReader {
  constructor(
    private readonly o: Json,
    private readonly file: string,
  ) {}

  private err(field: string, problem: string): PreprocessorConfigError {
    return new PreprocessorConfigError(this.file, field, problem);
  }

  private get(field: string): unknown {
    const v = Object.hasOwn(this.o, field) ? this.o[field] : undefined;
    return v === null ? undefined : v;
  }

  bool(field: string, dflt: boolean): boolean {
    const v = this.get(field);
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean')
      throw this.err(field, `expected true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  number(field: string, dflt: number): number {
    const v = this.get(field);
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw this.err(field, `expected a number, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  int(field: string, dflt: number, min = 1, v: unknown = this.get(field)): number {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw this.err(field, `expected an integer ≥ ${min}, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  triple(field: string, dflt: readonly [number, number, number]): [number, number, number] {
    const v = this.get(field);
    if (v === undefined) return [...dflt];
    if (typeof v === 'number') return [v, v, v];
    if (!Array.isArray(v) || v.length !== 3 || v.some((x) => typeof x !== 'number')) {
      throw this.err(field, `expected 3 numbers (R, G, B), got ${JSON.stringify(v)}`);
    }
    return [v[0], v[1], v[2]];
  }

  /** transformers' get_size_dict(size, default_to_square=False): an int is a shortest edge. */
  resizeTarget(field: string, dflt: ResizeTarget): ResizeTarget {
    const v = this.get(field);
    if (v === undefined) return dflt;
    if (typeof v === 'number') return { shortestEdge: this.int(field, 0, 1, v) };
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const s = v as Json;
      if (s.shortest_edge !== undefined) {
        if (s.longest_edge !== undefined) {
          throw this.err(field, 'longest_edge is not supported by CLIPImageProcessor');
        }
        return { shortestEdge: this.int(`${field}.shortest_edge`, 0, 1, s.shortest_edge) };
      }
      if (s.height !== undefined && s.width !== undefined) {
        return {
          height: this.int(`${field}.height`, 0, 1, s.height),
          width: this.int(`${field}.width`, 0, 1, s.width),
        };
      }
    }
    throw this.err(
      field,
      `expected an integer, {shortest_edge} or {height, width}, got ${JSON.stringify(v)}`,
    );
  }

  /** get_size_dict(crop_size, default_to_square=True): an int is a square. */
  cropSize(
    field: string,
    dflt: { height: number; width: number },
  ): { height: number; width: number } {
    const v = this.get(field);
    if (v === undefined) return dflt;
    if (typeof v === 'number') {
      const n = this.int(field, 0, 1, v);
      return { height: n, width: n };
    }
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const s = v as Json;
      if (s.height !== undefined && s.width !== undefined) {
        return {
          height: this.int(`${field}.height`, 0, 1, s.height),
          width: this.int(`${field}.width`, 0, 1, s.width),
        };
      }
    }
    throw this.err(field, `expected an integer or {height, width}, got ${JSON.stringify(v)}`);
  }
}

/**
 * transformers' get_resize_output_image_size(default_to_square=False): the short side
 * becomes `shortestEdge`, the long side int(shortestEdge · long / short) (floor).
 */
export function resizeOutputSize(
  width: number,
  height: number,
  size: ResizeTarget,
): [number, number] {
  if (!('shortestEdge' in size)) return [size.width, size.height];
  const s = size.shortestEdge;
  if (width <= height) return [s, Math.floor((s * height) / width)];
  return [Math.floor((s * width) / height), s];
}

/** Output [height, width] of preprocessForClip for an input of this size. */
export function clipOutputShape(
  width: number,
  height: number,
  cfg: ClipPreprocessConfig,
): [number, number] {
  if (cfg.doCenterCrop) return [cfg.cropSize.height, cfg.cropSize.width];
  if (!cfg.doResize) return [height, width];
  const [w, h] = resizeOutputSize(width, height, cfg.size);
  return [h, w];
}

/**
 * One image → Float32Array HWC (height × width × 3), normalised: what CLIPImageProcessor puts
 * in `pixel_values` (which is CHW; transpose when feeding a CHW model).
 */
export function preprocessForClip(image: RgbImage, cfg: ClipPreprocessConfig): Float32Array {
  let img = image;
  if (cfg.doResize) {
    const [w, h] = resizeOutputSize(img.width, img.height, cfg.size);
    img = pilResize(img, w, h, cfg.resample);
  }
  if (cfg.doCenterCrop) img = centerCrop(img, cfg.cropSize.height, cfg.cropSize.width);
  return rescaleAndNormalize(img.data, cfg);
}

/**
 * transformers' center_crop: top = ⌊(H − h)/2⌋, left = ⌊(W − w)/2⌋. A crop larger than the
 * image zero-pads with the image at ⌈(h − H)/2⌉ (current transformers), which is the same
 * offset ⌊(H − h)/2⌋ read as negative: crop row r is image row r + ⌊(H − h)/2⌋ either way.
 */
export function centerCrop(image: RgbImage, cropH: number, cropW: number): RgbImage {
  const { width: W, height: H } = image;
  if (cropH === H && cropW === W) return image;
  const top = Math.floor((H - cropH) / 2);
  const left = Math.floor((W - cropW) / 2);
  const out = new Uint8Array(cropH * cropW * 3);
  // The columns of the crop window that fall inside the image, copied one row at a time.
  const c0 = Math.max(0, -left);
  const c1 = Math.min(cropW, W - left);
  for (let r = 0; r < cropH; r++) {
    const sy = r + top;
    if (sy < 0 || sy >= H || c1 <= c0) continue;
    const src = (sy * W + left + c0) * 3;
    out.set(image.data.subarray(src, src + (c1 - c0) * 3), (r * cropW + c0) * 3);
  }
  return { width: cropW, height: cropH, data: out };
}

/**
 * rescale: float64(pixel) · factor rounded to float32 (transformers upcasts, then casts);
 * normalize: (x − f32(mean)) / f32(std), each operation rounded to float32 as numpy does.
 */
function rescaleAndNormalize(pixels: Uint8Array, cfg: ClipPreprocessConfig): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(pixels.length);
  const mean = cfg.imageMean.map(f);
  const std = cfg.imageStd.map(f);
  for (let i = 0; i < pixels.length; i++) {
    let x = cfg.doRescale ? f(pixels[i]! * cfg.rescaleFactor) : pixels[i]!;
    if (cfg.doNormalize) x = f(f(x - mean[i % 3]!) / std[i % 3]!);
    out[i] = x;
  }
  return out;
}
