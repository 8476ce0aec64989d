/**
 * Encoded images (from an ImageFolder or a Parquet file) → decoded, CLIP-preprocessed batches.
 * One broken image never stops a run: it is reported through onError (name + reason) and
 * skipped, and the batch goes on with the rest.
 */
import { clipOutputShape, preprocessForClip, type ClipPreprocessConfig } from './clip-preprocess';
import { decodeImage } from './decode';

export interface EncodedImage {
  /** Shown in error reports: "cat/001.png", "test.parquet row 17". */
  readonly name: string;
  /** The file's bytes, or an Error when reading them failed (reported, then skipped). */
  readonly bytes: Uint8Array | Error;
  /** Class index, or null in an unlabelled set. */
  readonly label: number | null;
}

export interface ImageBatch {
  /** size × height × width × 3 floats, HWC per image (CLIPImageProcessor's values). */
  readonly pixels: Float32Array;
  /** Class index per image; -1 where unlabelled. */
  readonly labels: Int32Array;
  readonly names: string[];
  readonly size: number;
  readonly height: number;
  readonly width: number;
}

export interface ImageErrorReport {
  readonly name: string;
  readonly reason: string;
}

export interface BatchOptions {
  /** Images per batch (the last may be smaller). */
  readonly batchSize: number;
  /** Called for each image that cannot be read or decoded; it is then skipped. */
  readonly onError: (report: ImageErrorReport) => void;
  readonly signal?: AbortSignal;
}

export class ImageBatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageBatchError';
  }
}

/**
 * The fixed output [height, width] a batch needs. Without a centre crop the size follows
 * each image's aspect ratio unless the resize target is an explicit height × width.
 */
export function fixedOutputShape(cfg: ClipPreprocessConfig): [number, number] {
  if (cfg.doCenterCrop) return [cfg.cropSize.height, cfg.cropSize.width];
  if (cfg.doResize && !('shortestEdge' in cfg.size)) return [cfg.size.height, cfg.size.width];
  throw new ImageBatchError(
    'batches need one image size: the preprocessor config must centre-crop (do_center_crop) ' +
      'or resize to an explicit {height, width}',
  );
}

export async function* preprocessBatches(
  images: AsyncIterable<EncodedImage>,
  cfg: ClipPreprocessConfig,
  options: BatchOptions,
): AsyncGenerator<ImageBatch> {
  const { batchSize, onError, signal } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ImageBatchError(`batch size must be a positive integer, got ${batchSize}`);
  }
  const [height, width] = fixedOutputShape(cfg);
  const per = height * width * 3;
  let pixels = new Float32Array(batchSize * per);
  let labels = new Int32Array(batchSize);
  let names: string[] = [];
  for await (const item of images) {
    signal?.throwIfAborted();
    const values = preprocessOne(item, cfg, onError);
    if (!values) continue;
    const i = names.length;
    pixels.set(values, i * per);
    labels[i] = item.label ?? -1;
    names.push(item.name);
    if (names.length === batchSize) {
      yield { pixels, labels, names, size: batchSize, height, width };
      pixels = new Float32Array(batchSize * per);
      labels = new Int32Array(batchSize);
      names = [];
    }
  }
  if (names.length > 0) {
    const n = names.length;
    yield {
      pixels: pixels.subarray(0, n * per),
      labels: labels.subarray(0, n),
      names,
      size: n,
      height,
      width,
    };
  }
}

function preprocessOne(
  item: EncodedImage,
  cfg: ClipPreprocessConfig,
  onError: (report: ImageErrorReport) => void,
): Float32Array | undefined {
  if (item.bytes instanceof Error) {
    onError({ name: item.name, reason: withoutName(item.bytes.message, item.name) });
    return undefined;
  }
  try {
    const image = decodeImage(item.bytes, item.name);
    const values = preprocessForClip(image, cfg);
    const [h, w] = clipOutputShape(image.width, image.height, cfg);
    if (values.length !== h * w * 3) throw new Error('unexpected output size');
    return values;
  } catch (e) {
    onError({
      name: item.name,
      reason: withoutName(e instanceof Error ? e.message : String(e), item.name),
    });
    return undefined;
  }
}

/** Decode errors already start with the image's name: the report does not repeat it. */
function withoutName(message: string, name: string): string {
  const prefix = `${name}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}
