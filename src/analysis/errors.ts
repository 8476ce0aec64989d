/** A checkpoint that cannot be compared with the base; names the checkpoint and the tensor. */
export class AnalysisError extends Error {
  readonly code = 'analysis-mismatch';
  constructor(
    readonly file: string,
    readonly tensor: string,
    problem: string,
  ) {
    super(`${file}: ${tensor}: ${problem}`);
    this.name = 'AnalysisError';
  }
}
