/** AdaMerging on CLIP vision towers (tfjs autodiff). */
export {
  clipHostProblem,
  uploadClipProblem,
  mergedClipParams,
  type ClipHostProblem,
  type ClipProblemInput,
  type ClipDeviceProblem,
} from './problem';
export {
  ClipAdaMergingSession,
  runClipAdaMerging,
  type ClipAdaMergingCallbacks,
  type ImagePool,
} from './session';
export { clipFusedEngineFor, clipFusedSupports } from './fused';
export {
  clipAdaMergingFootprint,
  footprintProblem,
  wasmHeapProblem,
  WASM_HEAP_BYTES,
  describeFootprint,
  type DeviceFootprint,
  type DeviceLimits,
} from './footprint';
