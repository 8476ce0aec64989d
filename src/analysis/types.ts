/** What the task-vector analysis reports; plain data, so it crosses the worker boundary as is. */

export interface LayerNorms {
  /** Block index from `layerIndexOf`, or null for tensors outside numbered blocks. */
  layer: number | null;
  /** ‖τₜ‖₂ restricted to this block's tensors, one per task (same order as `tasks`). */
  norms: number[];
}

export interface TaskVectorAnalysis {
  /** Task (fine-tune) names, in the order of every row and column below. */
  tasks: string[];
  /** Tensors that entered the analysis (task-specific ones excluded). */
  tensors: number;
  /** Parameters per task vector. */
  parameters: number;
  /** ‖τₜ‖₂ over all analysed tensors. */
  norms: number[];
  /** cos(τₐ, τ_b); NaN where a task vector is all zeros. */
  cosine: number[][];
  /**
   * Sign-conflict rate: among coordinates where both τₐ and τ_b are non-zero, the fraction with
   * opposite signs (0 on the diagonal; NaN when no coordinate is non-zero in both).
   */
  signConflict: number[][];
  /** Per-block norms, blocks in increasing order, tensors outside blocks last (layer null). */
  layers: LayerNorms[];
}
