/**
 * PNG and JPEG bytes → 8-bit RGB, the way PIL's `Image.open(f).convert('RGB')` sees them
 * (transformers' CLIPImageProcessor starts there). Pure JS so the CLI and the browser worker
 * decode identically: fast-png (PNG, all colour types and depths, interlaced) and jpeg-js
 * (baseline and progressive JPEG, grayscale, Adobe CMYK/YCCK).
 */
import { decode as decodePng, type DecodedPng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** RGB triples, row-major: pixel (x, y) starts at (y * width + x) * 3. */
  readonly data: Uint8Array;
}

export class ImageDecodeError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'ImageDecodeError';
  }
}

/** Images above this many pixels are refused before decoding (a 100 MP photo is ≈ 400 MB). */
export const MAX_IMAGE_PIXELS = 64 * 1024 * 1024;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function imageKind(bytes: Uint8Array): 'png' | 'jpeg' | undefined {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/** Decodes by magic bytes (the extension is not trusted). fileName is only for messages. */
export function decodeImage(bytes: Uint8Array, fileName: string): RgbImage {
  const kind = imageKind(bytes);
  if (kind === 'png') return decodePngRgb(bytes, fileName);
  if (kind === 'jpeg') return decodeJpegRgb(bytes, fileName);
  throw new ImageDecodeError(fileName, 'not a PNG or JPEG image');
}

/** A decoder error in a file that does not end as its format requires means it was cut short. */
function endsWithIend(bytes: Uint8Array): boolean {
  const n = bytes.length;
  // "IEND" then its 4-byte CRC.
  return (
    n >= 8 &&
    bytes[n - 8] === 0x49 &&
    bytes[n - 7] === 0x45 &&
    bytes[n - 6] === 0x4e &&
    bytes[n - 5] === 0x44
  );
}

function endsWithEoi(bytes: Uint8Array): boolean {
  // Writers may pad after the EOI marker (FF D9); allow a few trailing bytes.
  for (let i = bytes.length - 2; i >= Math.max(0, bytes.length - 16); i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------- PNG

/** IHDR's width and height (bytes 16..24), read before decoding so a huge image is refused. */
function pngHeaderSize(bytes: Uint8Array, file: string): [number, number] {
  if (bytes.length < 33) throw new ImageDecodeError(file, 'truncated PNG');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

function decodePngRgb(bytes: Uint8Array, file: string): RgbImage {
  const [w, h] = pngHeaderSize(bytes, file);
  checkPixels(w, h, file);
  let png: DecodedPng;
  try {
    png = decodePng(bytes);
  } catch (e) {
    throw new ImageDecodeError(
      file,
      endsWithIend(bytes) ? `broken PNG (${reason(e)})` : 'truncated PNG',
    );
  }
  const { width, height, channels, depth } = png;
  const rowSamples = width * channels;
  const expected = depth < 8 ? Math.ceil((rowSamples * depth) / 8) * height : rowSamples * height;
  if (png.data.length < expected) throw new ImageDecodeError(file, 'truncated PNG');
  const samples = depth < 8 ? unpackBits(png.data as Uint8Array, width, height, depth) : png.data;
  const out = new Uint8Array(width * height * 3);
  if (png.palette) {
    paletteToRgb(samples, png.palette, out);
    return { width, height, data: out };
  }
  const to8 = sampleTo8Bit(depth, channels);
  const n = width * height;
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    if (channels <= 2) {
      // Gray (+alpha): alpha dropped, gray replicated.
      const g = to8(samples[s]!);
      out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = g;
    } else {
      out[i * 3] = to8(samples[s]!);
      out[i * 3 + 1] = to8(samples[s + 1]!);
      out[i * 3 + 2] = to8(samples[s + 2]!);
    }
  }
  return { width, height, data: out };
}

/**
 * How PIL (9.x) maps a PNG sample to 8 bits. Gray 1/2/4-bit is scaled to 0..255 (modes 1,
 * L;2, L;4). 16-bit gray opens as mode "I" and `convert('RGB')` clips it to 0..255 (values
 * above 255 become white — PIL's behaviour, kept so results match the reference pipeline);
 * 16-bit gray+alpha, RGB and RGBA unpack to their high byte.
 */
function sampleTo8Bit(depth: number, channels: number): (v: number) => number {
  if (depth === 16) return channels === 1 ? (v) => (v > 255 ? 255 : v) : (v) => v >> 8;
  if (depth < 8) {
    const scale = 255 / ((1 << depth) - 1);
    return (v) => v * scale;
  }
  return (v) => v;
}

/** Rows of 1/2/4-bit samples, each row starting on a byte boundary, into one sample a byte. */
function unpackBits(packed: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const stride = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = packed[y * stride + (bit >> 3)]!;
      out[y * width + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

/** Palette lookup; an index past the palette's end is black (PIL pads palettes with zeros). */
function paletteToRgb(indices: ArrayLike<number>, palette: number[][], out: Uint8Array): void {
  for (let i = 0; i < out.length / 3; i++) {
    const c = palette[indices[i]!];
    out[i * 3] = c?.[0] ?? 0;
    out[i * 3 + 1] = c?.[1] ?? 0;
    out[i * 3 + 2] = c?.[2] ?? 0;
  }
}

function checkPixels(width: number, height: number, file: string): void {
  if (width === 0 || height === 0) throw new ImageDecodeError(file, 'image has no pixels');
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new ImageDecodeError(file, `image too large (${width}×${height} pixels)`);
  }
}

// ---------------------------------------------------------------- JPEG

function decodeJpegRgb(bytes: Uint8Array, file: string): RgbImage {
  let jpeg: { width: number; height: number; data: Uint8Array };
  try {
    jpeg = decodeJpeg(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      // A truncated file should be an error, not a half-grey image.
      tolerantDecoding: false,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: 1024,
    });
  } catch (e) {
    throw new ImageDecodeError(
      file,
      endsWithEoi(bytes) ? `broken JPEG (${reason(e)})` : 'truncated JPEG',
    );
  }
  checkPixels(jpeg.width, jpeg.height, file);
  if (jpeg.data.length !== jpeg.width * jpeg.height * 3) {
    throw new ImageDecodeError(file, 'truncated JPEG');
  }
  return { width: jpeg.width, height: jpeg.height, data: jpeg.data };
}
