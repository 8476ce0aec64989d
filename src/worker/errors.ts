import { CANCELLED, type WireError } from './protocol';

/** What a failed worker call rejects with on the UI side: a code, a message, file/tensor. */
export class StudioError extends Error {
  readonly code: string;
  readonly file?: string;
  readonly tensor?: string;

  constructor(wire: WireError) {
    super(wire.message);
    this.name = 'StudioError';
    this.code = wire.code;
    if (wire.file !== undefined) this.file = wire.file;
    if (wire.tensor !== undefined) this.tensor = wire.tensor;
  }

  toWire(): WireError {
    return { code: this.code, message: this.message, file: this.file, tensor: this.tensor };
  }
}

export function isCancelled(error: unknown): boolean {
  return error instanceof StudioError && error.code === CANCELLED;
}

function stringField(value: object, key: string): string | undefined {
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

const BUILTIN_ERRORS = new Set([
  'Error',
  'TypeError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
]);

/** "SafetensorsError" → "safetensors-error". */
function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/**
 * Turns anything thrown in the worker into a WireError. Typed core errors (they carry `code`,
 * `file`, `tensor`) keep their fields; anything else becomes `internal` with its message only,
 * never a stack trace.
 */
export function toWireError(error: unknown, aborted = false): WireError {
  if (aborted) return { code: CANCELLED, message: 'Cancelled.' };
  if (error instanceof StudioError) return error.toWire();
  if (typeof error === 'object' && error !== null) {
    const message = stringField(error, 'message') ?? 'Unknown error.';
    const name = stringField(error, 'name');
    if (name === 'AbortError') return { code: CANCELLED, message: 'Cancelled.' };
    // Core error classes (SafetensorsError, CheckpointMismatchError, …) name their kind.
    const namedKind = name && !BUILTIN_ERRORS.has(name) ? kebab(name) : undefined;
    const wire: WireError = {
      code: stringField(error, 'code') ?? namedKind ?? 'internal',
      message,
    };
    const file = stringField(error, 'file') ?? stringField(error, 'fileName');
    const tensor = stringField(error, 'tensor') ?? stringField(error, 'tensorName');
    if (file) wire.file = file;
    if (tensor) wire.tensor = tensor;
    return wire;
  }
  return { code: 'internal', message: String(error) };
}
