import type { RawTensor } from '../../merge';
import type { GpuRuntime } from '../runtime/runtime';
import {
  encodeGroups,
  encodeThreads,
  accumulatePartials,
  reduceGridWords,
  reduceGroups,
  reduceShape,
} from './encode';
import { PackedInputs, planChunkLength, validateInputs, type BoundChunk } from './packed-inputs';
import type { ShaderName } from '../kernels/shaders.generated';

/**
 * The chunk loop shared by the element-wise merges: pack the inputs, and for each chunk run a
 * kernel whose output (`outputs` f32 planes of chunk length) is read back into whole-tensor
 * arrays.
 */
export class ElementwiseRun {
  readonly inputs: PackedInputs;

  constructor(
    private readonly rt: GpuRuntime,
    readonly tensorName: string,
    readonly numel: number,
    named: [string, RawTensor][],
    private readonly outputs: number,
    rowLen?: number,
  ) {
    validateInputs(tensorName, numel, named);
    const dtypes = named.map(([, r]) => r.dtype);
    const chunkLen = planChunkLength(tensorName, numel, dtypes, rt.maxBinding, {
      otherBytesPerElement: [4 * outputs],
      ...(rowLen !== undefined ? { rowLen } : {}),
    });
    this.inputs = new PackedInputs(
      rt,
      named.map(([, r]) => r),
      numel,
      chunkLen,
    );
  }

  /**
   * Block sums of `quantities` over segments of `segLen` elements (the whole tensor when segLen
   * ≥ numel), with the given dots.wgsl-style kernel and its params per chunk.
   */
  async segmentSums(
    shader: ShaderName,
    parts: ShaderName[],
    quantities: number,
    segLen: number,
    params: (chunk: BoundChunk, grid: number[]) => ArrayBuffer,
  ): Promise<Float64Array[]> {
    const segments = Math.max(1, Math.ceil(this.numel / segLen));
    const sums = Array.from({ length: quantities }, () => new Float64Array(segments));
    const pipeline = this.rt.pipeline(shader, parts);
    for (let c = 0; c < this.inputs.chunkCount; c++) {
      const chunk = this.inputs.bind(c);
      const shape = reduceShape(quantities, chunk.len, Math.min(segLen, chunk.len));
      const groups = reduceGroups(shape);
      const out = this.rt.storage(groups * 4, 'partials');
      const uniform = this.rt.uniform(params(chunk, reduceGridWords(shape)));
      const encoder = this.rt.device.createCommandEncoder({ label: `${shader} sums` });
      encodeGroups(
        this.rt,
        encoder,
        pipeline,
        { ...this.inputs.bindings(chunk), 2: uniform, 3: { buffer: out, size: groups * 4 } },
        groups,
      );
      const partials = new Float32Array(await this.rt.read(out, 0, groups * 4, encoder));
      const firstSeg = segLen >= this.numel ? 0 : chunk.start / segLen;
      accumulatePartials(partials, shape, sums, firstSeg);
      await this.rt.release([out, uniform]);
    }
    return sums;
  }

  /**
   * Runs `shader` once per chunk; `extra` binds additional read-only buffers (binding 3…) and
   * the output goes to the binding after them. Returns `outputs` whole-tensor planes.
   */
  async run(
    shader: ShaderName,
    parts: ShaderName[],
    params: (chunk: BoundChunk) => ArrayBuffer,
    extra: (chunk: BoundChunk) => GPUBuffer[] = () => [],
  ): Promise<Float32Array[]> {
    const planes = Array.from({ length: this.outputs }, () => new Float32Array(this.numel));
    if (this.numel === 0) return planes;
    const pipeline = this.rt.pipeline(shader, parts);
    for (let c = 0; c < this.inputs.chunkCount; c++) {
      const chunk = this.inputs.bind(c);
      const size = chunk.len * 4 * this.outputs;
      const out = this.rt.storage(size, 'merged');
      const uniform = this.rt.uniform(params(chunk));
      const extras = extra(chunk);
      const bindings: Record<number, GPUBuffer | { buffer: GPUBuffer; size: number }> = {
        ...this.inputs.bindings(chunk),
        2: uniform,
      };
      extras.forEach((b, i) => (bindings[3 + i] = b));
      bindings[3 + extras.length] = { buffer: out, size };
      const encoder = this.rt.device.createCommandEncoder({ label: shader });
      encodeThreads(this.rt, encoder, pipeline, bindings, chunk.len);
      const data = new Float32Array(await this.rt.read(out, 0, size, encoder));
      planes.forEach((plane, k) =>
        plane.set(data.subarray(k * chunk.len, (k + 1) * chunk.len), chunk.start),
      );
      await this.rt.release([out, uniform, ...extras]);
    }
    return planes;
  }

  /** Resolves once the inputs' buffers are back in the pool (see PackedInputs.dispose). */
  dispose(): Promise<void> {
    return this.inputs.dispose();
  }
}
