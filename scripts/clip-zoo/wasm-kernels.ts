/**
 * tfjs-backend-wasm lacks UnsortedSegmentSum, which the gradient of tf.gather (the text tower's
 * token embedding) needs. This registers a plain-JS implementation on the wasm heap: the sum of
 * the rows of x into their segments, segment ids outside [0, numSegments) dropped (as TF does).
 */
import * as tf from '@tensorflow/tfjs';

interface WasmHeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

let registered = false;

export function registerWasmSegmentSum(): void {
  if (registered || tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  registered = true;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const x = inputs['x'] as tf.TensorInfo;
      const ids = inputs['segmentIds'] as tf.TensorInfo;
      const numSegments = attrs?.['numSegments'] as number;
      const heap = backend as unknown as WasmHeapBackend;
      if (x.dtype !== 'float32') throw new Error('UnsortedSegmentSum (wasm): float32 only');
      const segments = heap.typedArrayFromHeap(ids);
      const row = segments.length === 0 ? 0 : x.shape.reduce((a, b) => a * b, 1) / segments.length;
      const out = heap.makeOutput([numSegments, ...x.shape.slice(ids.shape.length)], 'float32');
      // Read x after makeOutput: allocating may grow the heap and detach earlier views.
      const xs = heap.typedArrayFromHeap(x);
      const sums = heap.typedArrayFromHeap(out);
      sums.fill(0);
      for (let i = 0; i < segments.length; i++) {
        const s = segments[i]!;
        if (s < 0 || s >= numSegments) continue;
        for (let j = 0; j < row; j++) sums[s * row + j]! += xs[i * row + j]!;
      }
      return out;
    },
  });
}
