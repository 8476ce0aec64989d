/**
 * Reads a merged (or any) checkpoint for evaluation: every encoder tensor of the zoo's config
 * must be present with the right shape; F32, F16 and BF16 are converted to f32. Head tensors in
 * the file are ignored (each task uses its own head from the zoo).
 */
import type { NamedArray } from '../core';
import { openSafetensors, type ByteSource } from '../io';
import { encoderShapes, type VitConfig } from '../models';
import { ZooFormatError } from '../zoo';

export async function readEncoder(
  source: ByteSource,
  config: VitConfig,
): Promise<Map<string, NamedArray>> {
  const file = await openSafetensors(source);
  const out = new Map<string, NamedArray>();
  for (const [name, shape] of encoderShapes(config)) {
    const info = file.tensors.get(name);
    if (!info)
      throw new ZooFormatError(
        source.name,
        `tensor "${name}" is missing (not a checkpoint of the zoo's ViT?)`,
      );
    if (info.shape.join(',') !== shape.join(',')) {
      throw new ZooFormatError(
        source.name,
        `tensor "${name}" has shape [${info.shape}], the zoo's ViT needs [${shape}]`,
      );
    }
    out.set(name, { shape, data: await file.readF32(name) });
  }
  return out;
}
