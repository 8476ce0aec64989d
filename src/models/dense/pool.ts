/**
 * Checks of a SIMO pool before any work: every task's fine-tune has the encoder and its own
 * decoder in the shapes the config implies. Errors are one line naming the file and tensor.
 */
import type { Params } from '../../core';
import {
  decoderPrefix,
  decoderShapes,
  denseEncoderShapes,
  type DenseConfig,
  type DenseTask,
} from './config';

export class DensePoolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DensePoolError';
  }
}

function checkShapes(file: string, params: Params, shapes: Map<string, number[]>): void {
  for (const [name, shape] of shapes) {
    const t = params.get(name);
    if (!t) throw new DensePoolError(`${file}: tensor ${name} is missing`);
    if (t.shape.join() !== shape.join())
      throw new DensePoolError(
        `${file}: tensor ${name} has shape [${t.shape}], the config expects [${shape}]`,
      );
  }
}

/** The encoder of `file` matches the config. */
export function checkDenseEncoder(file: string, params: Params, config: DenseConfig): void {
  checkShapes(file, params, denseEncoderShapes(config));
}

/** A single-task fine-tune: the encoder and `decoders.<task>.*` in the config's shapes. */
export function checkTaskModel(
  file: string,
  params: Params,
  config: DenseConfig,
  task: DenseTask,
): void {
  const pre = decoderPrefix(task.name);
  if (![...params.keys()].some((n) => n.startsWith(pre)))
    throw new DensePoolError(
      `${file}: no decoder for task "${task.name}" (no ${pre}* tensors); a SIMO pool needs each task's decoder`,
    );
  checkDenseEncoder(file, params, config);
  checkShapes(file, params, decoderShapes(config, task));
}

/** Only the tensors of one prefix (a decoder, the encoder). */
export function withPrefix(params: Params, prefix: string): Params {
  return new Map([...params].filter(([name]) => name.startsWith(prefix)));
}
