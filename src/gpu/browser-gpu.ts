import { acquireGpu, type GpuContext } from './adapter';

let pending: Promise<GpuContext | null> | undefined;

/** One shared device per page or worker; tfjs and the merge kernels use the same one. */
export function browserGpu(): Promise<GpuContext | null> {
  pending ??= acquireGpu(typeof navigator !== 'undefined' ? navigator.gpu : undefined).catch(
    () => null,
  );
  return pending;
}
