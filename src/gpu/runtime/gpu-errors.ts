/**
 * Device-level error plumbing: a lost device or an uncaptured validation error must never give
 * a silent wrong answer, so the backend records them and fails the next job with a clear error.
 */
export class GpuDeviceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuDeviceError';
  }
}

export interface DeviceWatch {
  /** Throws if the device was lost or an uncaptured error happened since the last check. */
  check(): void;
  dispose(): void;
}

export function watchDevice(device: GPUDevice): DeviceWatch {
  let failure: string | undefined;
  let disposed = false;
  const onError = (event: Event): void => {
    const err = (event as GPUUncapturedErrorEvent).error;
    failure ??= `WebGPU error: ${err?.message ?? 'unknown'}`;
  };
  device.addEventListener('uncapturederror', onError);
  void device.lost.then((info) => {
    if (!disposed) failure ??= `WebGPU device lost (${info.reason}): ${info.message}`;
  });
  return {
    check() {
      if (failure) throw new GpuDeviceError(failure);
    },
    dispose() {
      disposed = true;
      device.removeEventListener('uncapturederror', onError);
    },
  };
}

/** Runs `body` inside a validation error scope and throws if it produced any validation error. */
export async function withValidationScope<T>(
  device: GPUDevice,
  body: () => Promise<T>,
): Promise<T> {
  device.pushErrorScope('validation');
  let result: T;
  try {
    result = await body();
  } catch (err) {
    await device.popErrorScope();
    throw err;
  }
  const error = await device.popErrorScope();
  if (error) throw new GpuDeviceError(`WebGPU validation error: ${error.message}`);
  return result;
}
