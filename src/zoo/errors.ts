/** A problem with a zoo file (manifest, test set, checkpoint); the message names the file. */
export class ZooFormatError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ZooFormatError';
  }
}
