/**
 * A small seeded PRNG for data generation (sampling, shuffles, noise, procedural images). Built
 * on the project's counter-based hash so a stream is a pure function of its seed.
 */
import { mix32, nameHash } from '../merge';

export class Rng {
  private counter = 0;
  private readonly key: number;

  constructor(seed: number, stream = '') {
    this.key = mix32((mix32(seed >>> 0) ^ nameHash(stream)) >>> 0);
  }

  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number {
    return mix32((this.key ^ mix32(this.counter++ >>> 0)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  normal(): number {
    const u = 1 - this.uniform(); // (0, 1]
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}
