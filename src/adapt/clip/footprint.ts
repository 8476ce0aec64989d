/**
 * What CLIP AdaMerging holds on the device, known before anything is uploaded: θ₀ and the
 * projection, the [T, n] task-vector stacks (the largest one is the largest single buffer),
 * the heads, and an estimate of the activations tfjs autodiff keeps for the backward pass. The
 * CLI prints it; a job whose largest buffer exceeds the adapter's binding limit is refused with
 * the numbers instead of failing inside a kernel (lavapipe: 128 MiB; a ViT-B/32 fc1 stack is
 * 9.0 MiB per task, so FusionBench's 20-task pool needs 180 MiB in one buffer).
 */
import { clipNumPatches, clipVisionTensorShapes, type ClipConfig } from '../../models';

export interface DeviceFootprint {
  /** θ₀ (vision tower) + visual_projection. */
  parameterBytes: number;
  /** Σ over merged tensors of T·n values. */
  taskVectorBytes: number;
  headBytes: number;
  /** Forward activations kept for the backward pass (an estimate, ±2×). */
  activationBytes: number;
  totalBytes: number;
  largestBuffer: { name: string; bytes: number };
}

const F32 = 4;

export function clipAdaMergingFootprint(
  config: ClipConfig,
  tasks: number,
  imagesPerStep: number,
  classesPerTask: readonly number[],
): DeviceFootprint {
  let params = config.projectionDim * config.vision.hiddenSize;
  let stacks = 0;
  let largest = { name: '', bytes: 0 };
  for (const [name, shape] of clipVisionTensorShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    params += n;
    stacks += tasks * n;
    if (tasks * n * F32 > largest.bytes) largest = { name, bytes: tasks * n * F32 };
  }
  const heads = classesPerTask.reduce((a, c) => a + c * config.projectionDim, 0);
  const v = config.vision;
  const tokens = clipNumPatches(config) + 1;
  // Per layer and image: LN outputs, q/k/v, attention output, MLP hidden (pre and post
  // activation) ≈ 12·hidden values per token, plus the scores and softmax (2·heads·tokens).
  const perLayer = tokens * (12 * v.hiddenSize + 2 * v.numHeads * tokens);
  const activations = imagesPerStep * v.numLayers * perLayer;
  const parameterBytes = params * F32;
  const taskVectorBytes = stacks * F32;
  const headBytes = heads * F32;
  const activationBytes = activations * F32;
  return {
    parameterBytes,
    taskVectorBytes,
    headBytes,
    activationBytes,
    totalBytes: parameterBytes + taskVectorBytes + headBytes + activationBytes,
    largestBuffer: largest,
  };
}

export interface DeviceLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** A one-line reason the job cannot run on a device with these limits, or null. */
export function footprintProblem(f: DeviceFootprint, limits: DeviceLimits): string | null {
  const limit = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
  if (f.largestBuffer.bytes <= limit) return null;
  return (
    `the task vectors of ${f.largestBuffer.name} take ${mib(f.largestBuffer.bytes)} in one ` +
    `buffer, over this adapter's ${mib(limit)} limit: merge fewer tasks at once, or run on wasm`
  );
}

/** tfjs-wasm keeps every tensor in one WebAssembly memory, whose 32-bit addresses end at 4 GiB. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

/**
 * A one-line reason the job cannot run on tfjs-wasm, or null: the footprint plus the merged
 * tower each step builds must fit the heap (ViT-B/32 with 8 tasks ran out of it mid-run with
 * "memory access out of bounds"; this says so before anything is uploaded).
 */
export function wasmHeapProblem(f: DeviceFootprint): string | null {
  const need = f.totalBytes + f.parameterBytes;
  if (need < WASM_HEAP_BYTES) return null;
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
  return (
    `θ₀, the task vectors, the merged tower and the activations need ≈ ${gib(need)}, over ` +
    `tfjs-wasm's ${gib(WASM_HEAP_BYTES)} heap: merge fewer tasks at once or take fewer images a step`
  );
}

export function describeFootprint(f: DeviceFootprint): string {
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
  return (
    `device memory: θ₀ ${gib(f.parameterBytes)} + task vectors ${gib(f.taskVectorBytes)} + ` +
    `activations ≈ ${gib(f.activationBytes)} = ${gib(f.totalBytes)}; largest buffer ` +
    `${mib(f.largestBuffer.bytes)} (${f.largestBuffer.name})`
  );
}
