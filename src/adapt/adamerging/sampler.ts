/**
 * Seeded unlabeled batches: each task walks its own shuffled order of its test images (a fresh
 * shuffle per epoch, like a shuffling DataLoader), so a run is a pure function of its seed.
 */
import { Rng, type GrayImages } from '../../data';

export class TaskBatchSampler {
  private readonly rngs: Rng[];
  private readonly orders: number[][];
  private readonly cursors: number[];

  constructor(
    private readonly sets: GrayImages[],
    seed: number,
    tasks: string[],
  ) {
    this.rngs = tasks.map((t) => new Rng(seed, `adamerging:${t}`));
    this.orders = sets.map((s, k) => this.rngs[k]!.shuffle([...Array(s.count).keys()]));
    this.cursors = sets.map(() => 0);
  }

  /** Indices of the next `n` images of task k (wrapping into a new shuffled epoch). */
  private next(k: number, n: number): number[] {
    const out: number[] = [];
    while (out.length < n) {
      if (this.cursors[k]! >= this.orders[k]!.length) {
        this.rngs[k]!.shuffle(this.orders[k]!);
        this.cursors[k] = 0;
      }
      out.push(this.orders[k]![this.cursors[k]!++]!);
    }
    return out;
  }

  /**
   * `perTask` images of every task, task after task, as floats in [0, 1]: the layout the
   * objective slices (task k owns rows k·perTask … (k+1)·perTask − 1).
   */
  batch(perTask: number): Float32Array {
    return this.labelledBatch(perTask).pixels;
  }

  /**
   * {@link batch} with the images' labels in the same row order. Only the cross-entropy oracle
   * reads the labels; drawing both from one call keeps images and labels of a row together and
   * leaves the entropy runs' sampling exactly as it was.
   */
  labelledBatch(perTask: number): { pixels: Float32Array; labels: Int32Array } {
    const side = this.sets[0]?.side ?? 0;
    const px = side * side;
    const pixels = new Float32Array(this.sets.length * perTask * px);
    const labels = new Int32Array(this.sets.length * perTask);
    let at = 0;
    let row = 0;
    this.sets.forEach((set, k) => {
      for (const index of this.next(k, perTask)) {
        const src = set.pixels.subarray(index * px, (index + 1) * px);
        for (let i = 0; i < px; i++) pixels[at++] = src[i]! / 255;
        labels[row++] = set.labels[index]!;
      }
    });
    return { pixels, labels };
  }
}
