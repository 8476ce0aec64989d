/**
 * Running sums for the task-vector analysis, fed one tensor's deltas at a time: dot products,
 * squared norms per block, and opposite-sign / both-non-zero counts per pair. Holding only
 * sums is what lets the analysis stream through models of any size.
 */
import type { LayerNorms, TaskVectorAnalysis } from './types';

export class PairStats {
  private readonly t: number;
  /** dot[a·T + b] = Σ τₐ·τ_b (a ≤ b filled, mirrored at the end). */
  private readonly dot: Float64Array;
  private readonly conflicts: Float64Array;
  private readonly bothNonZero: Float64Array;
  /** block key → Σ τₜ² per task. */
  private readonly blocks = new Map<number | null, Float64Array>();
  private tensors = 0;
  private parameters = 0;

  constructor(readonly tasks: readonly string[]) {
    this.t = tasks.length;
    this.dot = new Float64Array(this.t * this.t);
    this.conflicts = new Float64Array(this.t * this.t);
    this.bothNonZero = new Float64Array(this.t * this.t);
  }

  /** Adds one tensor: `deltas[t]` is τₜ for it (same length for every task). */
  add(layer: number | null, deltas: readonly Float32Array[]): void {
    const { t } = this;
    const n = deltas[0]?.length ?? 0;
    let block = this.blocks.get(layer);
    if (!block) this.blocks.set(layer, (block = new Float64Array(t)));
    for (let a = 0; a < t; a++) {
      const da = deltas[a]!;
      for (let b = a; b < t; b++) {
        const db = deltas[b]!;
        let dot = 0;
        let conflicts = 0;
        let both = 0;
        for (let i = 0; i < n; i++) {
          const x = da[i]!;
          const y = db[i]!;
          dot += x * y;
          if (x !== 0 && y !== 0) {
            both++;
            if (x > 0 !== y > 0) conflicts++;
          }
        }
        this.dot[a * t + b]! += dot;
        this.conflicts[a * t + b]! += conflicts;
        this.bothNonZero[a * t + b]! += both;
        if (a === b) block[a]! += dot;
      }
    }
    this.tensors += 1;
    this.parameters += n;
  }

  result(): TaskVectorAnalysis {
    const { t } = this;
    const at = (m: Float64Array, a: number, b: number) => m[Math.min(a, b) * t + Math.max(a, b)]!;
    const norms = Array.from({ length: t }, (_, a) => Math.sqrt(at(this.dot, a, a)));
    const matrix = (cell: (a: number, b: number) => number) =>
      Array.from({ length: t }, (_, a) => Array.from({ length: t }, (_, b) => cell(a, b)));
    const cosine = matrix((a, b) => {
      const denominator = norms[a]! * norms[b]!;
      return denominator > 0 ? at(this.dot, a, b) / denominator : NaN;
    });
    const signConflict = matrix((a, b) => {
      const both = at(this.bothNonZero, a, b);
      return both > 0 ? at(this.conflicts, a, b) / both : NaN;
    });
    const keys = [...this.blocks.keys()].sort((x, y) => (x === null ? 1 : y === null ? -1 : x - y));
    const layers: LayerNorms[] = keys.map((layer) => ({
      layer,
      norms: [...this.blocks.get(layer)!].map(Math.sqrt),
    }));
    return {
      tasks: [...this.tasks],
      tensors: this.tensors,
      parameters: this.parameters,
      norms,
      cosine,
      signConflict,
      layers,
    };
  }
}
