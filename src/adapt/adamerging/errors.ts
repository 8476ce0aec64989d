/** Thrown when the inputs cannot be merged; names the task and tensor. */
export class AdaMergingInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdaMergingInputError';
  }
}
