/**
 * Errors of the CLIP loader. Their messages are shown to users as-is, so they name the file and
 * the config field or tensor, and say the problem in plain words.
 */

/** A config.json field that is missing, mistyped or out of range. */
export class ClipConfigError extends Error {
  readonly file: string;
  readonly field: string | undefined;

  constructor(file: string, field: string | undefined, problem: string) {
    super(field === undefined ? `${file}: ${problem}` : `${file}: ${field} ${problem}`);
    this.name = 'ClipConfigError';
    this.file = file;
    this.field = field;
  }
}

/** A checkpoint whose tensors do not match its config (missing tensor, wrong shape). */
export class ClipCheckpointError extends Error {
  readonly file: string;
  readonly tensor: string | undefined;

  constructor(file: string, tensor: string | undefined, problem: string) {
    super(tensor === undefined ? `${file}: ${problem}` : `${file}: ${tensor}: ${problem}`);
    this.name = 'ClipCheckpointError';
    this.file = file;
    this.tensor = tensor;
  }
}

/** Inputs to the forward (pixels, token ids, masks) that do not fit the config. */
export class ClipInputError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'ClipInputError';
  }
}
