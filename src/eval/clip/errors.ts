/**
 * Bad input to the CLIP evaluation path (a missing projection, classes that differ from the
 * heads' rows, a task without images): a user-facing error whose message names the file or task
 * and the problem. The CLI turns it into exit 2 and one line; the studio shows it beside the entry.
 */
export class ClipEvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClipEvalError';
  }
}
