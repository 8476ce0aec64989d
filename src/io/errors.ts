/**
 * Typed errors of the I/O layer. Their messages are shown to users as-is (the CLI prints
 * `error: <message>`), so they name the file, the tensor when there is one, and the problem in
 * plain words.
 */

import { escapeTerminalText } from './terminal-text';

export class SafetensorsError extends Error {
  readonly file: string;
  readonly tensor: string | undefined;
  readonly problem: string;

  constructor(file: string, tensor: string | undefined, problem: string) {
    // Names and values come from files: shown with control characters escaped, never raw.
    super(
      escapeTerminalText(
        tensor === undefined ? `${file}: ${problem}` : `${file}: ${tensor}: ${problem}`,
      ),
    );
    this.name = 'SafetensorsError';
    this.file = file;
    this.tensor = tensor;
    this.problem = problem;
  }
}

/** One finding of a compatibility check between checkpoints (see compatibility.ts). */
export interface Mismatch {
  /** 'error' blocks a merge; 'info' is reported but allowed (dtype differences, heads). */
  severity: 'error' | 'info';
  kind: 'missing' | 'shape' | 'dtype';
  tensor: string;
  /** The checkpoint where the tensor is missing or differs from the reference. */
  checkpoint: string;
  message: string;
}

/** Thrown when checkpoints that must be merged tensor-by-tensor do not line up. */
export class CheckpointMismatchError extends Error {
  readonly mismatches: Mismatch[];

  constructor(mismatches: Mismatch[]) {
    const errors = mismatches.filter((m) => m.severity === 'error');
    const first = errors[0] ?? mismatches[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more mismatches)` : '';
    super(first ? `${first.message}${more}` : 'checkpoints are not compatible');
    this.name = 'CheckpointMismatchError';
    this.mismatches = mismatches;
  }
}

/**
 * An output path the user gave cannot be written as asked (it is an input, an existing
 * directory where a file is meant, a folder holding another model, …). Raised before any work.
 */
export class OutputPathError extends Error {
  readonly path: string;

  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'OutputPathError';
    this.path = path;
  }
}
