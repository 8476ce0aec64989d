/** A batch of square grayscale uint8 images stored row-major, one after the other. */
export interface GrayImages {
  count: number;
  /** Side in pixels (28 for MNIST and Fashion-MNIST). */
  side: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

/** A view of image `index` (no copy). */
export function imageAt(images: GrayImages, index: number): Uint8Array {
  const n = images.side * images.side;
  return images.pixels.subarray(index * n, (index + 1) * n);
}
