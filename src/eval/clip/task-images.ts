/**
 * A task's images as the CLIP path reads them: an ImageFolder or a Parquet file
 * (src/data/images) seen as a stream of encoded images, decoded and preprocessed a batch at a
 * time by src/data/images' `preprocessBatches`, so a 20k-image test set never sits in memory
 * as floats. A broken image is reported (its name and why) and skipped; the rest go on.
 */
import type { EncodedImage } from '../../data';
import { ClipEvalError } from './errors';

export interface TaskImages {
  task: string;
  /** The folder or file the images came from. */
  source: string;
  /** Class names in class-index order, or null when the data does not name them. */
  classNames: string[] | null;
  /** Images in the set. */
  count: number;
  /** Whether every image has a label (class folders, a label column). */
  labelled: boolean;
  /** The images in a fixed order, read lazily; a fresh pass each call. */
  images(): AsyncIterable<EncodedImage>;
}

export function checkTaskImages(t: TaskImages, needLabels: boolean): void {
  if (t.count === 0) throw new ClipEvalError(`${t.source}: task "${t.task}" has no images`);
  if (needLabels && !t.labelled) {
    throw new ClipEvalError(
      `${t.source}: task "${t.task}" has unlabelled images; accuracy needs labels ` +
        '(one subfolder per class, or a label column)',
    );
  }
}

/** The first `n` images of a stream. */
export async function* firstImages(
  images: AsyncIterable<EncodedImage>,
  n: number,
): AsyncGenerator<EncodedImage> {
  if (n <= 0) return;
  let taken = 0;
  for await (const image of images) {
    yield image;
    if (++taken >= n) return;
  }
}
