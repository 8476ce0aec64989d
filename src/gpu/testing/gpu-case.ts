import type { GpuContext } from '../adapter';
import { withValidationScope } from '../runtime/gpu-errors';

/** Runs one GPU test case in a validation error scope: any validation error fails it. */
export function gpuCase<T>(ctx: GpuContext, body: () => Promise<T>): Promise<T> {
  return withValidationScope(ctx.device, body);
}
